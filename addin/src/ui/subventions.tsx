/**
 * Tableau des subventions: per subsidy its financeur, object, chapter (7410 collectivités,
 * 7420 associations), amount granted, received (the receipt lines attached) and used (the
 * expense lines attached and those of the actions it funds), and whether it is justified.
 * A subsidy is created or modified in a small form; the line selected in the sheet is attached
 * to it (a recette as a receipt, a dépense as a use) or detached; once spent, it is marked
 * justified with the date and a note. The subsidy receipts attached to no subsidy are shown
 * with the service's sentence: the closure will not pass while they remain.
 */
import { useState } from 'react';
import {
  Button,
  Field,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import {
  KINDS,
  formatDateFr,
  formatEuros,
  SUBSIDY_STATE_LABELS,
  subsidyChapters,
  validateSubsidy,
  type Chart,
  type LineRef,
  type SubsidiesJson,
  type SubsidyInput,
  type SubsidyJson,
} from '../../../templates/definition';
import { today } from './entry-form';
import { DateField, formatAmount } from './fields';
import {
  AmountField,
  BookForm,
  BookProblems,
  ConfirmRemoval,
  LineRefList,
  PickableRow,
  RecordActions,
  TextField,
  WorkState,
  selectedLine,
  typedCents,
  useBookTableStyles,
  useFormCheck,
  useRecords,
} from './book-parts';
import type { SideBookProps } from './livres';

/** A new subsidy before anything is typed. */
const NEW_SUBSIDY: SubsidyInput = {
  financeur: '',
  objet: '',
  chapter: '',
  granted: 0,
  decisionDate: null,
  actions: [],
  state: 'a_justifier',
  justifiedOn: null,
  note: null,
};

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
  const label = SUBSIDY_STATE_LABELS[s.state];
  return s.state === 'justifiee' && s.justifiedOn ? `${label} le ${formatDateFr(s.justifiedOn)}` : label;
}

/** A subsidy's financeur, object, chapter, amount granted, date of the decision and actions. */
function SubsidyForm({
  title,
  base,
  chart,
  onSave,
  onCancel,
}: {
  title: string;
  base: SubsidyInput;
  chart: Chart;
  onSave: (input: SubsidyInput) => Promise<void>;
  onCancel: () => void;
}) {
  const chapters = subsidyChapters(chart);
  const [financeur, setFinanceur] = useState(base.financeur);
  const [objet, setObjet] = useState(base.objet);
  const [chapter, setChapter] = useState(base.chapter || chapters[0] || '');
  const [granted, setGranted] = useState(base.financeur ? formatAmount(base.granted) : '');
  const [decisionDate, setDecisionDate] = useState(base.decisionDate ?? '');
  const [actions, setActions] = useState(base.actions.join(', '));
  const check = useFormCheck(['financeur', 'objet', 'chapter', 'granted', 'decisionDate', 'actions']);
  return (
    <BookForm
      label={title}
      heading
      check={check}
      save="Enregistrer la subvention"
      onCancel={onCancel}
      onSubmit={() => {
        const amount = typedCents('granted', granted);
        const input: SubsidyInput = {
          ...base,
          financeur: financeur.trim(),
          objet: objet.trim(),
          chapter,
          granted: amount.cents,
          decisionDate: decisionDate || null,
          actions: actions
            .split(/[,;]/)
            .map((a) => a.trim())
            .filter(Boolean),
        };
        void check.submit(amount.refused.length ? amount.refused : validateSubsidy(input, chart), () => onSave(input));
      }}
    >
      <TextField
        check={check}
        name="financeur"
        label="Financeur"
        required
        hint="Qui verse la subvention : mairie, département, association de parents…"
        value={financeur}
        onChange={setFinanceur}
      />
      <TextField
        check={check}
        name="objet"
        label="Objet"
        required
        hint="Ce qu’elle finance : classe de découverte, spectacle…"
        value={objet}
        onChange={setObjet}
      />
      <Field label="Chapitre" validationMessage={check.onField('chapter')}>
        <Select value={chapter} onChange={(_, v) => setChapter(v.value)} name="chapter">
          {chapters.map((code) => (
            <option key={code} value={code}>
              {code} – {chart.find((c) => c.code === code)?.label ?? ''}
            </option>
          ))}
        </Select>
      </Field>
      <div className="cc-row">
        <AmountField check={check} name="granted" label="Montant accordé (€)" value={granted} onChange={setGranted} />
        <DateField
          label="Date de la décision"
          value={decisionDate}
          onChange={setDecisionDate}
          name="decisionDate"
          error={check.onField('decisionDate')}
        />
      </div>
      <TextField
        check={check}
        name="actions"
        label="Actions financées"
        hint="Les actions du cahier qu’elle finance, séparées par des virgules (facultatif)."
        value={actions}
        onChange={setActions}
      />
    </BookForm>
  );
}

/** Marking a subsidy justified: the date (today by default) and a note. */
function JustifyForm({
  base,
  chart,
  onSave,
  onCancel,
}: {
  base: SubsidyInput;
  chart: Chart;
  onSave: (input: SubsidyInput) => Promise<void>;
  onCancel: () => void;
}) {
  const [date, setDate] = useState(base.justifiedOn ?? today());
  const [note, setNote] = useState(base.note ?? '');
  const check = useFormCheck(['justifiedOn', 'note']);
  return (
    <BookForm
      label="Justification de la subvention"
      check={check}
      save="Marquer justifiée"
      onCancel={onCancel}
      onSubmit={() => {
        const input: SubsidyInput = {
          ...base,
          state: 'justifiee',
          justifiedOn: date || null,
          note: note.trim() || null,
        };
        void check.submit(validateSubsidy(input, chart), () => onSave(input));
      }}
    >
      <DateField
        label="Justifiée le"
        value={date}
        onChange={setDate}
        required
        name="justifiedOn"
        error={check.onField('justifiedOn')}
      />
      <TextField
        check={check}
        name="note"
        label="Note"
        hint="Par exemple : bilan envoyé à la mairie avec les factures."
        multiline
        value={note}
        onChange={setNote}
      />
    </BookForm>
  );
}

export function Subventions({ api, engine, coop, year }: SideBookProps) {
  const base = `/api/coops/${encodeURIComponent(coop)}/exercises/${year}/subsidies`;
  const styles = useBookTableStyles();
  const {
    book,
    load,
    chosen,
    record: subsidy,
    show,
    form,
    setForm,
    toDelete,
    setToDelete,
    create,
    put,
    removal,
    busy,
    note,
    setNote,
    run,
  } = useRecords<SubsidiesJson, SubsidyJson, 'new' | 'edit' | 'justify'>(api, {
    read: base,
    write: base,
    records: (b) => b.subsidies,
    removed: () => 'Subvention supprimée.',
  });

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

  const known = book?.subsidies.flatMap((s) => [...s.receipts, ...s.uses]) ?? [];
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
                <PickableRow key={s.id} picked={s.id === chosen} name={s.financeur} onPick={() => show(s.id)}>
                  <TableCell>{s.objet}</TableCell>
                  <TableCell>{s.chapter}</TableCell>
                  <TableCell className={styles.amount}>{formatEuros(s.granted)}</TableCell>
                  <TableCell className={styles.amount}>{formatEuros(s.received)}</TableCell>
                  <TableCell className={styles.amount}>{formatEuros(s.spent)}</TableCell>
                  <TableCell className={s.state === 'justifiee' ? 'cc-ok' : 'cc-warning'}>{stateText(s)}</TableCell>
                </PickableRow>
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
      {book && form !== 'new' && <Button onClick={() => show(null, 'new')}>Nouvelle subvention</Button>}
      {form === 'new' && (
        <SubsidyForm
          title="Nouvelle subvention"
          base={NEW_SUBSIDY}
          chart={engine.chart}
          onCancel={() => setForm(null)}
          onSave={(input) => create(input, (c) => `Subvention « ${c.financeur} – ${c.objet} » créée.`)}
        />
      )}
      <WorkState busy={busy} note={note} reading={book ? null : 'Lecture des subventions…'} />
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
            Une recette ({subsidyChapters(engine.chart).join(' ou ')}) est rattachée comme recette reçue, une dépense
            comme utilisation.
          </Text>
          <RecordActions
            onEdit={() => setForm('edit')}
            next={
              subsidy.state === 'a_justifier'
                ? { label: 'Marquer justifiée', onClick: () => setForm('justify') }
                : {
                    label: 'Remettre à justifier',
                    disabled: busy !== null,
                    onClick: () =>
                      void run('Enregistrement…', () =>
                        put(subsidy, { ...inputOf(subsidy), state: 'a_justifier', justifiedOn: null }),
                      ),
                  }
            }
            onRemove={() => setToDelete(subsidy)}
          />
          {form === 'edit' && (
            <SubsidyForm
              key={subsidy.id}
              title="Modifier la subvention"
              base={inputOf(subsidy)}
              chart={engine.chart}
              onCancel={() => setForm(null)}
              onSave={(input) => put(subsidy, input, 'Subvention modifiée.')}
            />
          )}
          {form === 'justify' && (
            <JustifyForm
              key={subsidy.id}
              base={inputOf(subsidy)}
              chart={engine.chart}
              onCancel={() => setForm(null)}
              onSave={(input) => put(subsidy, input, `Subvention justifiée le ${formatDateFr(input.justifiedOn!)}.`)}
            />
          )}
        </section>
      )}
      {book && (
        <BookProblems
          problems={book.problems}
          known={known}
          pending={{ title: 'Recettes de subvention rattachées à aucune subvention :', lines: book.unattached }}
          actions={attachUnattached}
        />
      )}
      <ConfirmRemoval {...removal} title="Supprimer cette subvention ?" confirm="Supprimer la subvention">
        {toDelete ? `${toDelete.financeur} – ${toDelete.objet} (${formatEuros(toDelete.granted)})` : ''}. Ses lignes
        restent dans le cahier, rattachées à aucune subvention.
      </ConfirmRemoval>
    </section>
  );
}
