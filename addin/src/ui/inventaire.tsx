/**
 * Cahier d'inventaire: the durable goods of the coop (kept from one exercise to the next), with
 * their designation, date of purchase, value, location, and when and why they left. An item is
 * inscribed from the 6800 line selected in the sheet (designation from its libellé, its date,
 * the value of its 6800 part, the line linked) or from a 6800 line the service lists as missing
 * from the inventory; a disposal is recorded with its date and reason.
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
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import {
  formatDateFr,
  formatEuros,
  parseEuros,
  reminderChapters,
  type InventoryCheckJson,
  type InventoryItemInput,
  type InventoryItemJson,
  type LineRef,
} from '../../../templates/definition';
import { today } from './entry-form';
import { AmountInput, DateField, amountError, formatAmount } from './fields';
import { BookProblems, LineRefList, errorText, lineRefText, selectedLine, useBookTableStyles } from './book-lines';
import type { SideBookProps } from './livres';

type Note = { intent: 'success' | 'error' | 'info'; text: string };

/** An item's form: what the treasurer types, and the lines it comes from (shown, not typed). */
interface Draft {
  designation: string;
  acquiredOn: string;
  value: string;
  location: string;
  lines: LineRef[];
}

function inputOf(item: InventoryItemJson): InventoryItemInput {
  return {
    designation: item.designation,
    acquiredOn: item.acquiredOn,
    value: item.value,
    lines: item.lines.map((l) => l.id),
    location: item.location,
    disposedOn: item.disposedOn,
    disposalReason: item.disposalReason,
  };
}

/** A new item from a 6800 line: its libellé, its date, its 6800 part, the line linked. */
export function draftFromLine(l: LineRef): Draft {
  return { designation: l.libelle, acquiredOn: l.date, value: formatAmount(l.amount), location: '', lines: [l] };
}

function ItemForm({
  title,
  initial,
  onSave,
  onCancel,
}: {
  title: string;
  initial: Draft;
  onSave: (d: Omit<InventoryItemInput, 'disposedOn' | 'disposalReason'>) => Promise<void>;
  onCancel: () => void;
}) {
  const [d, setD] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  return (
    <form
      className="cc-form cc-ventilation"
      aria-label={title}
      onSubmit={(e) => {
        e.preventDefault();
        const value = parseEuros(d.value || '0');
        if ('error' in value) return setError(value.error);
        setBusy(true);
        setError(null);
        onSave({
          designation: d.designation.trim(),
          acquiredOn: d.acquiredOn,
          value: value.cents,
          location: d.location.trim() || null,
          lines: d.lines.map((l) => l.id),
        })
          .catch((err: unknown) => setError(errorText(err)))
          .finally(() => setBusy(false));
      }}
    >
      <Text weight="semibold">{title}</Text>
      <Field label="Désignation" required hint="Le bien, comme on le reconnaît : « Vidéoprojecteur Epson EB-W06 ».">
        <Input value={d.designation} onChange={(_, v) => set({ designation: v.value })} name="designation" />
      </Field>
      <div className="cc-row">
        <DateField
          label="Acquis le"
          value={d.acquiredOn}
          onChange={(v) => set({ acquiredOn: v })}
          required
          name="acquiredOn"
        />
        <Field label="Valeur (€)" required validationMessage={amountError(d.value)}>
          <AmountInput value={d.value} onChange={(v) => set({ value: v })} name="value" placeholder="0,00" />
        </Field>
      </div>
      <Field label="Lieu" hint="Où il se trouve : classe de CM1, bibliothèque…">
        <Input value={d.location} onChange={(_, v) => set({ location: v.value })} name="location" />
      </Field>
      {d.lines.length > 0 && (
        <>
          <Text size={200}>Acheté par :</Text>
          <LineRefList label="Lignes d’achat du bien" lines={d.lines} />
        </>
      )}
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      <div className="cc-row">
        <Button appearance="primary" type="submit" disabled={busy}>
          Enregistrer le bien
        </Button>
        <Button onClick={onCancel}>Annuler</Button>
      </div>
    </form>
  );
}

function DisposalForm({
  item,
  onSave,
  onCancel,
}: {
  item: InventoryItemJson;
  onSave: (disposedOn: string, reason: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [date, setDate] = useState(item.disposedOn ?? today());
  const [reason, setReason] = useState(item.disposalReason ?? '');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="cc-form cc-ventilation"
      aria-label="Sortie de l’inventaire"
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        onSave(date, reason.trim()).catch((err: unknown) => setError(errorText(err)));
      }}
    >
      <DateField label="Sorti le" value={date} onChange={setDate} required name="disposedOn" />
      <Field label="Motif" required hint="Hors d’usage, perdu, donné, vendu…">
        <Input value={reason} onChange={(_, v) => setReason(v.value)} name="disposalReason" />
      </Field>
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      <div className="cc-row">
        <Button appearance="primary" type="submit">
          Enregistrer la sortie
        </Button>
        <Button onClick={onCancel}>Annuler</Button>
      </div>
    </form>
  );
}

export function Inventaire({ api, engine, coop, year }: SideBookProps) {
  const items = `/api/coops/${encodeURIComponent(coop)}/inventory`;
  const check = `/api/coops/${encodeURIComponent(coop)}/exercises/${year}/inventory`;
  const chapters = reminderChapters(engine.chart, 'inventaire');
  const styles = useBookTableStyles();
  const [book, setBook] = useState<InventoryCheckJson | null>(null);
  const [chosen, setChosen] = useState<number | null>(null);
  /** A new item's form (its first values), or the chosen item's edit or disposal form. */
  const [form, setForm] = useState<{ draft: Draft } | 'edit' | 'disposal' | null>(null);
  const [toDelete, setToDelete] = useState<InventoryItemJson | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState<Note | null>(null);

  const load = async () => setBook(await api.request<InventoryCheckJson>('GET', check));

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
    } finally {
      setBusy(null);
    }
  };

  const item = book?.items.find((i) => i.id === chosen) ?? null;

  const put = async (i: InventoryItemJson, input: InventoryItemInput) => {
    await api.request<InventoryItemJson>('PUT', `${items}/${i.id}`, input, { 'If-Match': `"${i.version}"` });
    await load();
  };

  /** The form of a new item from the selected line: its 6800 part, its libellé, its date. */
  const fromSelected = () =>
    run('Lecture de la ligne sélectionnée…', async () => {
      const { id, line } = await selectedLine(engine);
      const value = line.ventilation.filter((p) => chapters.includes(p.chapter)).reduce((s, p) => s + p.amount, 0);
      if (line.kind !== 'depense' || value <= 0) {
        throw new Error(
          `La ligne PJ ${line.pj} n’est pas un achat de bien durable : seule une dépense ventilée en ${chapters.join(' ou ') || '6800'} s’inscrit à l’inventaire.`,
        );
      }
      const listed = book?.items.find((i) => i.lines.some((l) => l.id === id));
      if (listed) throw new Error(`La ligne PJ ${line.pj} est déjà inscrite : « ${listed.designation} ».`);
      setChosen(null);
      setForm({
        draft: draftFromLine({
          id,
          pj: line.pj,
          date: line.date,
          libelle: line.libelle,
          kind: line.kind,
          amount: value,
        }),
      });
    });

  const create = async (input: Omit<InventoryItemInput, 'disposedOn' | 'disposalReason'>) => {
    const created = await api.request<InventoryItemJson>('POST', items, {
      ...input,
      disposedOn: null,
      disposalReason: null,
    } satisfies InventoryItemInput);
    setForm(null);
    await load();
    setChosen(created.id);
    setNote({ intent: 'success', text: `« ${created.designation} » inscrit à l’inventaire.` });
  };

  const inscribe = (l: LineRef) => (
    <Button
      size="small"
      disabled={busy !== null}
      onClick={() => {
        setChosen(null);
        setForm({ draft: draftFromLine(l) });
      }}
    >
      Inscrire
    </Button>
  );

  const reported = new Set(book?.problems.flatMap((p) => p.lines) ?? []);
  const unreported = book?.unlisted.filter((l) => !reported.has(l.id)) ?? [];

  return (
    <section aria-label="Inventaire" className="cc-form">
      <Text as="h2" size={400} weight="semibold">
        Cahier d’inventaire
      </Text>
      {!book && !note && <Spinner size="tiny" label="Lecture de l’inventaire…" />}
      {book && (
        <div className={styles.scroll}>
          <Table size="extra-small" aria-label="Cahier d’inventaire" className={styles.table}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Désignation</TableHeaderCell>
                <TableHeaderCell>Acquis le</TableHeaderCell>
                <TableHeaderCell className={styles.amount}>Valeur</TableHeaderCell>
                <TableHeaderCell>Lieu</TableHeaderCell>
                <TableHeaderCell>Sorti le</TableHeaderCell>
                <TableHeaderCell>Motif</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {book.items.map((i) => (
                <TableRow
                  key={i.id}
                  aria-selected={i.id === chosen}
                  appearance={i.id === chosen ? 'brand' : 'none'}
                  onClick={() => {
                    setChosen(i.id);
                    setForm(null);
                  }}
                >
                  <TableCell>
                    <Link as="button" className={styles.name} onClick={() => setChosen(i.id)}>
                      {i.designation}
                    </Link>
                  </TableCell>
                  <TableCell className={styles.nowrap}>{formatDateFr(i.acquiredOn)}</TableCell>
                  <TableCell className={styles.amount}>{formatEuros(i.value)}</TableCell>
                  <TableCell>{i.location ?? ''}</TableCell>
                  <TableCell className={styles.nowrap}>{i.disposedOn ? formatDateFr(i.disposedOn) : ''}</TableCell>
                  <TableCell>{i.disposalReason ?? ''}</TableCell>
                </TableRow>
              ))}
              {book.items.length === 0 && (
                <TableRow>
                  <TableCell colSpan={6}>Aucun bien inscrit à l’inventaire.</TableCell>
                </TableRow>
              )}
            </TableBody>
          </Table>
        </div>
      )}
      {book && (
        <Text size={200}>
          Achats de biens durables de l’exercice : {formatEuros(book.totals.purchases)} · inscrits à l’inventaire :{' '}
          {formatEuros(book.totals.listed)}
        </Text>
      )}
      {book && (
        <div className="cc-row">
          <Button appearance="primary" disabled={busy !== null} onClick={() => void fromSelected()}>
            Inscrire la ligne sélectionnée
          </Button>
          <Button
            onClick={() => {
              setChosen(null);
              setForm({ draft: { designation: '', acquiredOn: today(), value: '', location: '', lines: [] } });
            }}
          >
            Nouveau bien
          </Button>
        </div>
      )}
      {form && typeof form === 'object' && (
        <ItemForm
          key={form.draft.lines[0]?.id ?? 'nouveau'}
          title="Nouveau bien à l’inventaire"
          initial={form.draft}
          onCancel={() => setForm(null)}
          onSave={create}
        />
      )}
      {busy && <Spinner size="tiny" label={busy} />}
      {note && (
        <MessageBar intent={note.intent}>
          <MessageBarBody>{note.text}</MessageBarBody>
        </MessageBar>
      )}
      {item && (
        <section aria-label={`Bien ${item.designation}`} className="cc-form cc-ventilation">
          <Text weight="semibold">{item.designation}</Text>
          <Text size={200}>
            Acquis le {formatDateFr(item.acquiredOn)} · {formatEuros(item.value)}
            {item.location ? ` · ${item.location}` : ''}
          </Text>
          {item.disposedOn && (
            <Text size={200}>
              Sorti de l’inventaire le {formatDateFr(item.disposedOn)}
              {item.disposalReason ? ` : ${item.disposalReason}` : ''}
            </Text>
          )}
          {item.lines.length > 0 && (
            <ul className="cc-list" aria-label="Lignes d’achat du bien">
              {item.lines.map((l) => (
                <li key={l.id}>
                  {lineRefText(l)}
                  {l.exercise !== year ? ` (exercice ${l.exercise}-${l.exercise + 1})` : ''}
                </li>
              ))}
            </ul>
          )}
          <div className="cc-row">
            <Button onClick={() => setForm('edit')}>Modifier</Button>
            {!item.disposedOn ? (
              <Button onClick={() => setForm('disposal')}>Sortie de l’inventaire</Button>
            ) : (
              <Button
                disabled={busy !== null}
                onClick={() =>
                  void run('Enregistrement…', () =>
                    put(item, { ...inputOf(item), disposedOn: null, disposalReason: null }),
                  )
                }
              >
                Annuler la sortie
              </Button>
            )}
            <Button appearance="subtle" onClick={() => setToDelete(item)}>
              Supprimer
            </Button>
          </div>
          {form === 'edit' && (
            <ItemForm
              key={item.id}
              title="Modifier le bien"
              initial={{
                designation: item.designation,
                acquiredOn: item.acquiredOn,
                value: formatAmount(item.value),
                location: item.location ?? '',
                lines: item.lines,
              }}
              onCancel={() => setForm(null)}
              onSave={async (input) => {
                await put(item, { ...inputOf(item), ...input });
                setForm(null);
                setNote({ intent: 'success', text: 'Bien modifié.' });
              }}
            />
          )}
          {form === 'disposal' && (
            <DisposalForm
              item={item}
              onCancel={() => setForm(null)}
              onSave={async (disposedOn, reason) => {
                await put(item, { ...inputOf(item), disposedOn, disposalReason: reason || null });
                setForm(null);
                setNote({
                  intent: 'success',
                  text: `« ${item.designation} » sorti de l’inventaire le ${formatDateFr(disposedOn)}.`,
                });
              }}
            />
          )}
        </section>
      )}
      {book && (
        <section aria-label="À régler avant la clôture" className="cc-form">
          <BookProblems problems={book.problems} known={book.unlisted} actions={inscribe} />
          {unreported.length > 0 && (
            <MessageBar intent="warning">
              <MessageBarBody>
                <Text block>Achats de biens durables sans bien à l’inventaire :</Text>
                <LineRefList label="Achats sans bien à l’inventaire" lines={unreported} actions={inscribe} />
              </MessageBarBody>
            </MessageBar>
          )}
        </section>
      )}
      <Dialog open={toDelete !== null} onOpenChange={(_, d) => !d.open && setToDelete(null)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Supprimer ce bien de l’inventaire ?</DialogTitle>
            <DialogContent>
              {toDelete ? `« ${toDelete.designation} » (${formatEuros(toDelete.value)}). ` : ''}
              Pour un bien qui a quitté l’école, enregistrez plutôt sa sortie : l’inventaire en garde la trace.
            </DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                onClick={() => {
                  const i = toDelete;
                  setToDelete(null);
                  if (i)
                    void run('Suppression…', async () => {
                      await api.request('DELETE', `${items}/${i.id}`, undefined, { 'If-Match': `"${i.version}"` });
                      setChosen(null);
                      await load();
                      setNote({ intent: 'success', text: `« ${i.designation} » supprimé de l’inventaire.` });
                    });
                }}
              >
                Supprimer le bien
              </Button>
              <Button onClick={() => setToDelete(null)}>Annuler</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </section>
  );
}
