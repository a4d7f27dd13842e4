/**
 * Tableau des subventions: per subsidy its financeur, object, chapter (7410 collectivités,
 * 7420 associations), amount granted, received (the receipt lines attached) and used (the
 * expense lines attached and those of the actions it funds), and whether it is justified.
 * A subsidy is created or modified in a small form; the line selected in the sheet is attached
 * to it (a recette as a receipt, a dépense as a use) or detached; once spent, it is marked
 * justified with the date and a note. The subsidy receipts attached to no subsidy are shown
 * with the service's sentence: the closure will not pass while they remain.
 */
import { useEffect, useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Textarea,
} from '@fluentui/react-components';
import {
  KINDS,
  formatDateFr,
  formatEuros,
  parseEuros,
  reminderChapters,
  type LineRef,
  type SubsidiesJson,
  type SubsidyInput,
  type SubsidyJson,
} from '../../../templates/definition';
import { today } from './entry-form';
import { AmountInput, DateField, amountError, formatAmount } from './fields';
import { BookProblems, LineRefList, errorText, selectedLine, useBookTableStyles } from './book-lines';
import type { SideBookProps } from './livres';

type Note = { intent: 'success' | 'error' | 'info'; text: string };

/** The form of a subsidy as typed. */
interface Draft {
  financeur: string;
  objet: string;
  chapter: string;
  granted: string;
  decisionDate: string;
  actions: string;
}

function draftOf(s: SubsidyJson | null, chapter: string): Draft {
  return {
    financeur: s?.financeur ?? '',
    objet: s?.objet ?? '',
    chapter: s?.chapter ?? chapter,
    granted: s ? formatAmount(s.granted) : '',
    decisionDate: s?.decisionDate ?? '',
    actions: s?.actions.join(', ') ?? '',
  };
}

/** What a subsidy sends back when modified: its fields, without the figures the service computes. */
function inputOf(s: SubsidyJson): SubsidyInput {
  return {
    financeur: s.financeur,
    objet: s.objet,
    chapter: s.chapter,
    granted: s.granted,
    decisionDate: s.decisionDate,
    actions: s.actions,
    state: s.state,
    justifiedOn: s.justifiedOn,
    note: s.note,
  };
}

export function stateText(s: Pick<SubsidyJson, 'state' | 'justifiedOn'>): string {
  return s.state === 'justifiee'
    ? `Justifiée${s.justifiedOn ? ` le ${formatDateFr(s.justifiedOn)}` : ''}`
    : 'À justifier';
}

function SubsidyForm({
  initial,
  chapters,
  onSave,
  onCancel,
}: {
  initial: SubsidyJson | null;
  chapters: { code: string; label: string }[];
  onSave: (fields: Omit<SubsidyInput, 'state' | 'justifiedOn' | 'note'>) => Promise<void>;
  onCancel: () => void;
}) {
  const [d, setD] = useState(() => draftOf(initial, chapters[0]?.code ?? '7410'));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const amount = parseEuros(d.granted || '0');
  return (
    <form
      className="cc-form cc-ventilation"
      aria-label={initial ? 'Modifier la subvention' : 'Nouvelle subvention'}
      onSubmit={(e) => {
        e.preventDefault();
        if ('error' in amount) return setError(amount.error);
        setBusy(true);
        setError(null);
        onSave({
          financeur: d.financeur.trim(),
          objet: d.objet.trim(),
          chapter: d.chapter,
          granted: amount.cents,
          decisionDate: d.decisionDate || null,
          actions: d.actions
            .split(/[,;]/)
            .map((a) => a.trim())
            .filter(Boolean),
        })
          .catch((err: unknown) => setError(errorText(err)))
          .finally(() => setBusy(false));
      }}
    >
      <Text weight="semibold">{initial ? 'Modifier la subvention' : 'Nouvelle subvention'}</Text>
      <Field label="Financeur" required hint="Qui verse la subvention : mairie, département, association de parents…">
        <Input value={d.financeur} onChange={(_, v) => set({ financeur: v.value })} name="financeur" />
      </Field>
      <Field label="Objet" required hint="Ce qu’elle finance : classe de découverte, spectacle…">
        <Input value={d.objet} onChange={(_, v) => set({ objet: v.value })} name="objet" />
      </Field>
      <Field label="Chapitre">
        <Select value={d.chapter} onChange={(_, v) => set({ chapter: v.value })} name="chapter">
          {chapters.map((c) => (
            <option key={c.code} value={c.code}>
              {c.code} – {c.label}
            </option>
          ))}
        </Select>
      </Field>
      <div className="cc-row">
        <Field label="Montant accordé (€)" required validationMessage={amountError(d.granted)}>
          <AmountInput value={d.granted} onChange={(v) => set({ granted: v })} name="granted" placeholder="0,00" />
        </Field>
        <DateField
          label="Date de la décision"
          value={d.decisionDate}
          onChange={(v) => set({ decisionDate: v })}
          name="decisionDate"
        />
      </div>
      <Field
        label="Actions financées"
        hint="Les actions du cahier qu’elle finance, séparées par des virgules (facultatif)."
      >
        <Input value={d.actions} onChange={(_, v) => set({ actions: v.value })} name="actions" />
      </Field>
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      <div className="cc-row">
        <Button appearance="primary" type="submit" disabled={busy}>
          Enregistrer la subvention
        </Button>
        <Button onClick={onCancel}>Annuler</Button>
      </div>
    </form>
  );
}

/** Marking a subsidy justified: the date (today by default) and a note. */
function JustifyForm({
  subsidy,
  onSave,
  onCancel,
}: {
  subsidy: SubsidyJson;
  onSave: (justifiedOn: string, note: string | null) => Promise<void>;
  onCancel: () => void;
}) {
  const [date, setDate] = useState(subsidy.justifiedOn ?? today());
  const [note, setNote] = useState(subsidy.note ?? '');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="cc-form cc-ventilation"
      aria-label="Justification de la subvention"
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        onSave(date, note.trim() || null).catch((err: unknown) => setError(errorText(err)));
      }}
    >
      <DateField label="Justifiée le" value={date} onChange={setDate} required name="justifiedOn" />
      <Field label="Note" hint="Par exemple : bilan envoyé à la mairie avec les factures.">
        <Textarea value={note} onChange={(_, v) => setNote(v.value)} name="note" />
      </Field>
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      <div className="cc-row">
        <Button appearance="primary" type="submit">
          Marquer justifiée
        </Button>
        <Button onClick={onCancel}>Annuler</Button>
      </div>
    </form>
  );
}

export function Subventions({ api, engine, coop, year }: SideBookProps) {
  const base = `/api/coops/${encodeURIComponent(coop)}/exercises/${year}/subsidies`;
  const chapters = reminderChapters(engine.chart, 'subvention').map((code) => ({
    code,
    label: engine.chart.find((c) => c.code === code)?.label ?? code,
  }));
  const styles = useBookTableStyles();
  const [book, setBook] = useState<SubsidiesJson | null>(null);
  const [chosen, setChosen] = useState<number | null>(null);
  const [form, setForm] = useState<'new' | 'edit' | 'justify' | null>(null);
  const [toDelete, setToDelete] = useState<SubsidyJson | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState<Note | null>(null);

  const load = async () => setBook(await api.request<SubsidiesJson>('GET', base));

  useEffect(() => {
    load().catch((e: unknown) => setNote({ intent: 'error', text: errorText(e) }));
  }, [api, coop, year]);

  const run = async (label: string, work: () => Promise<void>) => {
    setBusy(label);
    setNote(null);
    try {
      await work();
    } catch (e) {
      setNote({ intent: 'error', text: errorText(e) });
      await load().catch(() => undefined);
    } finally {
      setBusy(null);
    }
  };

  const subsidy = book?.subsidies.find((s) => s.id === chosen) ?? null;

  const put = async (s: SubsidyJson, input: SubsidyInput) => {
    await api.request<SubsidyJson>('PUT', `${base}/${s.id}`, input, { 'If-Match': `"${s.version}"` });
    await load();
  };

  /** A recette is attached as a receipt of the subsidy, a dépense as its use. */
  const attach = async (s: SubsidyJson, line: { id: string; pj: string; side: string | undefined }) => {
    const role = line.side === 'produit' ? 'receipt' : line.side === 'charge' ? 'use' : null;
    if (!role) {
      throw new Error('Seule une recette (chapitre 7410 ou 7420) ou une dépense peut être rattachée à une subvention.');
    }
    await api.request('POST', `${base}/${s.id}/lines`, { line: line.id, role });
    await load();
    setNote({
      intent: 'success',
      text: `Ligne PJ ${line.pj} rattachée ${role === 'receipt' ? 'comme recette' : 'comme dépense'} à la subvention « ${s.financeur} – ${s.objet} ».`,
    });
  };

  const attachSelected = (s: SubsidyJson) =>
    run('Rattachement de la ligne sélectionnée…', async () => {
      const { id, line } = await selectedLine(engine);
      await attach(s, { id, pj: line.pj, side: KINDS[line.kind].side });
    });

  const detach = (s: SubsidyJson, l: LineRef) =>
    run('Détachement de la ligne…', async () => {
      await api.request('DELETE', `${base}/${s.id}/lines/${l.id}`);
      await load();
      setNote({ intent: 'success', text: `Ligne PJ ${l.pj} détachée de la subvention.` });
    });

  const detachButton = (s: SubsidyJson) => (l: LineRef) => (
    <Button size="small" appearance="subtle" disabled={busy !== null} onClick={() => void detach(s, l)}>
      Détacher
    </Button>
  );

  const known = book ? [...book.unattached, ...book.subsidies.flatMap((s) => [...s.receipts, ...s.uses])] : [];
  const reported = new Set(book?.problems.flatMap((p) => p.lines) ?? []);
  const unreported = book?.unattached.filter((l) => !reported.has(l.id)) ?? [];
  const unattached = new Set(book?.unattached.map((l) => l.id) ?? []);
  const attachUnattached = (l: LineRef) =>
    subsidy && unattached.has(l.id) ? (
      <Button
        size="small"
        disabled={busy !== null}
        onClick={() =>
          void run('Rattachement de la ligne…', () => attach(subsidy, { id: l.id, pj: l.pj, side: 'produit' }))
        }
      >
        Rattacher à « {subsidy.financeur} »
      </Button>
    ) : null;

  return (
    <section aria-label="Subventions" className="cc-form">
      <Text as="h2" size={400} weight="semibold">
        Tableau des subventions
      </Text>
      {!book && !note && <Spinner size="tiny" label="Lecture des subventions…" />}
      {book && (
        <div className={styles.scroll}>
          <Table size="extra-small" aria-label="Tableau des subventions" className={styles.table}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Financeur</TableHeaderCell>
                <TableHeaderCell>Objet</TableHeaderCell>
                <TableHeaderCell>Chap.</TableHeaderCell>
                <TableHeaderCell className={styles.amount}>Accordé</TableHeaderCell>
                <TableHeaderCell className={styles.amount}>Reçu</TableHeaderCell>
                <TableHeaderCell className={styles.amount}>Utilisé</TableHeaderCell>
                <TableHeaderCell>État</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {book.subsidies.map((s) => (
                <TableRow
                  key={s.id}
                  aria-selected={s.id === chosen}
                  appearance={s.id === chosen ? 'brand' : 'none'}
                  onClick={() => {
                    setChosen(s.id);
                    setForm(null);
                  }}
                >
                  <TableCell>
                    <Link as="button" className={styles.name} onClick={() => setChosen(s.id)}>
                      {s.financeur}
                    </Link>
                  </TableCell>
                  <TableCell>{s.objet}</TableCell>
                  <TableCell>{s.chapter}</TableCell>
                  <TableCell className={styles.amount}>{formatEuros(s.granted)}</TableCell>
                  <TableCell className={styles.amount}>{formatEuros(s.received)}</TableCell>
                  <TableCell className={styles.amount}>{formatEuros(s.spent)}</TableCell>
                  <TableCell className={s.state === 'justifiee' ? 'cc-ok' : 'cc-warning'}>{stateText(s)}</TableCell>
                </TableRow>
              ))}
              {book.subsidies.length === 0 && (
                <TableRow>
                  <TableCell colSpan={7}>Aucune subvention pour cet exercice.</TableCell>
                </TableRow>
              )}
              {book.subsidies.length > 0 && (
                <TableRow>
                  <TableCell colSpan={3}>
                    <strong>Total</strong>
                  </TableCell>
                  <TableCell className={styles.amount}>
                    <strong>{formatEuros(book.totals.granted)}</strong>
                  </TableCell>
                  <TableCell className={styles.amount}>
                    <strong>{formatEuros(book.totals.received)}</strong>
                  </TableCell>
                  <TableCell className={styles.amount}>
                    <strong>{formatEuros(book.totals.spent)}</strong>
                  </TableCell>
                  <TableCell />
                </TableRow>
              )}
            </TableBody>
          </Table>
        </div>
      )}
      {book && form !== 'new' && (
        <Button
          onClick={() => {
            setForm('new');
            setChosen(null);
          }}
        >
          Nouvelle subvention
        </Button>
      )}
      {form === 'new' && (
        <SubsidyForm
          initial={null}
          chapters={chapters}
          onCancel={() => setForm(null)}
          onSave={async (fields) => {
            const created = await api.request<SubsidyJson>('POST', base, {
              ...fields,
              state: 'a_justifier',
              justifiedOn: null,
              note: null,
            } satisfies SubsidyInput);
            setForm(null);
            await load();
            setChosen(created.id);
            setNote({ intent: 'success', text: `Subvention « ${created.financeur} – ${created.objet} » créée.` });
          }}
        />
      )}
      {busy && <Spinner size="tiny" label={busy} />}
      {note && (
        <MessageBar intent={note.intent}>
          <MessageBarBody>{note.text}</MessageBarBody>
        </MessageBar>
      )}
      {subsidy && (
        <section aria-label={`Subvention ${subsidy.financeur} – ${subsidy.objet}`} className="cc-form cc-ventilation">
          <Text weight="semibold">
            {subsidy.financeur} – {subsidy.objet}
          </Text>
          <Text size={200}>
            Chapitre {subsidy.chapter} · accordée {formatEuros(subsidy.granted)}
            {subsidy.decisionDate ? ` le ${formatDateFr(subsidy.decisionDate)}` : ''}
            {subsidy.actions.length ? ` · actions : ${subsidy.actions.join(', ')}` : ''}
          </Text>
          <Text size={200}>
            {stateText(subsidy)}
            {subsidy.note ? ` · ${subsidy.note}` : ''}
          </Text>
          <Text weight="semibold">Recettes reçues ({formatEuros(subsidy.received)})</Text>
          <LineRefList
            label="Recettes de la subvention"
            lines={subsidy.receipts}
            actions={detachButton(subsidy)}
            empty="Aucune recette rattachée."
          />
          <Text weight="semibold">Utilisation ({formatEuros(subsidy.spent)})</Text>
          <LineRefList
            label="Dépenses de la subvention"
            lines={subsidy.uses}
            actions={detachButton(subsidy)}
            empty={
              subsidy.actions.length
                ? 'Aucune dépense rattachée : l’utilisé compte les dépenses de ses actions.'
                : 'Aucune dépense rattachée.'
            }
          />
          <Button appearance="primary" disabled={busy !== null} onClick={() => void attachSelected(subsidy)}>
            Rattacher la ligne sélectionnée
          </Button>
          <Text size={200}>
            Une recette (7410 ou 7420) est rattachée comme recette reçue, une dépense comme utilisation.
          </Text>
          <div className="cc-row">
            <Button onClick={() => setForm('edit')}>Modifier</Button>
            {subsidy.state === 'a_justifier' ? (
              <Button onClick={() => setForm('justify')}>Marquer justifiée</Button>
            ) : (
              <Button
                disabled={busy !== null}
                onClick={() =>
                  void run('Enregistrement…', () =>
                    put(subsidy, { ...inputOf(subsidy), state: 'a_justifier', justifiedOn: null }),
                  )
                }
              >
                Remettre à justifier
              </Button>
            )}
            <Button appearance="subtle" onClick={() => setToDelete(subsidy)}>
              Supprimer
            </Button>
          </div>
          {form === 'edit' && (
            <SubsidyForm
              key={subsidy.id}
              initial={subsidy}
              chapters={chapters}
              onCancel={() => setForm(null)}
              onSave={async (fields) => {
                await put(subsidy, { ...inputOf(subsidy), ...fields });
                setForm(null);
                setNote({ intent: 'success', text: 'Subvention modifiée.' });
              }}
            />
          )}
          {form === 'justify' && (
            <JustifyForm
              subsidy={subsidy}
              onCancel={() => setForm(null)}
              onSave={async (justifiedOn, text) => {
                await put(subsidy, { ...inputOf(subsidy), state: 'justifiee', justifiedOn, note: text });
                setForm(null);
                setNote({ intent: 'success', text: `Subvention justifiée le ${formatDateFr(justifiedOn)}.` });
              }}
            />
          )}
        </section>
      )}
      {book && (
        <section aria-label="À régler avant la clôture" className="cc-form">
          <BookProblems problems={book.problems} known={known} actions={attachUnattached} />
          {unreported.length > 0 && (
            <MessageBar intent="warning">
              <MessageBarBody>
                <Text block>Recettes de subvention rattachées à aucune subvention :</Text>
                <LineRefList
                  label="Recettes rattachées à aucune subvention"
                  lines={unreported}
                  actions={attachUnattached}
                />
              </MessageBarBody>
            </MessageBar>
          )}
        </section>
      )}
      <Dialog open={toDelete !== null} onOpenChange={(_, d) => !d.open && setToDelete(null)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Supprimer cette subvention ?</DialogTitle>
            <DialogContent>
              {toDelete ? `${toDelete.financeur} – ${toDelete.objet} (${formatEuros(toDelete.granted)})` : ''}. Ses
              lignes restent dans le cahier, rattachées à aucune subvention.
            </DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                onClick={() => {
                  const s = toDelete;
                  setToDelete(null);
                  if (s)
                    void run('Suppression…', async () => {
                      await api.request('DELETE', `${base}/${s.id}`, undefined, { 'If-Match': `"${s.version}"` });
                      setChosen(null);
                      await load();
                      setNote({ intent: 'success', text: 'Subvention supprimée.' });
                    });
                }}
              >
                Supprimer la subvention
              </Button>
              <Button onClick={() => setToDelete(null)}>Annuler</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </section>
  );
}
