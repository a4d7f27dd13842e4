/**
 * Cahier d'inventaire: the durable goods of the coop (kept from one exercise to the next), with
 * their designation, date of purchase, value, location, and when and why they left. An item is
 * inscribed from the 6800 line selected in the sheet (designation from its libellé, its date,
 * the value of its 6800 part, the line linked) or from a 6800 line the service lists as missing
 * from the inventory; a disposal is recorded with its date and reason.
 */
import { useState } from 'react';
import {
  Button,
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
  inventoryChapters,
  partOnChapters,
  validateInventoryItem,
  type InventoryCheckJson,
  type InventoryItemInput,
  type InventoryItemJson,
  type LineRef,
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
  lineRefText,
  selectedLine,
  typedCents,
  useBookTableStyles,
  useFormCheck,
  useRecords,
} from './book-parts';
import type { SideBookProps } from './livres';

/** An item to inscribe: its first values, and the lines it comes from (shown, not typed). */
interface NewItem {
  base: InventoryItemInput;
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

/** A new item typed from nothing: bought today, lines none. */
function blankItem(): NewItem {
  return {
    base: {
      designation: '',
      acquiredOn: today(),
      value: 0,
      lines: [],
      location: null,
      disposedOn: null,
      disposalReason: null,
    },
    lines: [],
  };
}

/** A new item from a 6800 line: its libellé, its date, its 6800 part, the line linked. */
export function itemFromLine(l: LineRef): NewItem {
  const { base } = blankItem();
  return { base: { ...base, designation: l.libelle, acquiredOn: l.date, value: l.amount, lines: [l.id] }, lines: [l] };
}

/** An item's designation, date of purchase, value and location; the lines it comes from shown. */
function ItemForm({
  title,
  base,
  lines,
  onSave,
  onCancel,
}: {
  title: string;
  base: InventoryItemInput;
  lines: LineRef[];
  onSave: (input: InventoryItemInput) => Promise<void>;
  onCancel: () => void;
}) {
  const [designation, setDesignation] = useState(base.designation);
  const [acquiredOn, setAcquiredOn] = useState(base.acquiredOn);
  const [value, setValue] = useState(base.value ? formatAmount(base.value) : '');
  const [location, setLocation] = useState(base.location ?? '');
  const check = useFormCheck(['designation', 'acquiredOn', 'value', 'location']);
  return (
    <BookForm
      label={title}
      heading
      check={check}
      save="Enregistrer le bien"
      onCancel={onCancel}
      onSubmit={() => {
        const amount = typedCents('value', value);
        const input: InventoryItemInput = {
          ...base,
          designation: designation.trim(),
          acquiredOn,
          value: amount.cents,
          location: location.trim() || null,
        };
        void check.submit(amount.refused.length ? amount.refused : validateInventoryItem(input), () => onSave(input));
      }}
    >
      <TextField
        check={check}
        name="designation"
        label="Désignation"
        required
        hint="Le bien, comme on le reconnaît : « Vidéoprojecteur Epson EB-W06 »."
        value={designation}
        onChange={setDesignation}
      />
      <div className="cc-row">
        <DateField
          label="Acquis le"
          value={acquiredOn}
          onChange={setAcquiredOn}
          required
          name="acquiredOn"
          error={check.onField('acquiredOn')}
        />
        <AmountField check={check} name="value" label="Valeur (€)" value={value} onChange={setValue} />
      </div>
      <TextField
        check={check}
        name="location"
        label="Lieu"
        hint="Où il se trouve : classe de CM1, bibliothèque…"
        value={location}
        onChange={setLocation}
      />
      {lines.length > 0 && (
        <>
          <Text size={200}>Acheté par :</Text>
          <LineRefList label="Lignes d’achat du bien" lines={lines} />
        </>
      )}
    </BookForm>
  );
}

/** An item leaves the inventory: the date and the reason. */
function DisposalForm({
  base,
  onSave,
  onCancel,
}: {
  base: InventoryItemInput;
  onSave: (input: InventoryItemInput) => Promise<void>;
  onCancel: () => void;
}) {
  const [date, setDate] = useState(base.disposedOn ?? today());
  const [reason, setReason] = useState(base.disposalReason ?? '');
  const check = useFormCheck(['disposedOn', 'disposalReason']);
  return (
    <BookForm
      label="Sortie de l’inventaire"
      check={check}
      save="Enregistrer la sortie"
      onCancel={onCancel}
      onSubmit={() => {
        const input: InventoryItemInput = { ...base, disposedOn: date || null, disposalReason: reason.trim() || null };
        // Without its date, the rules would take it for an item still there: a sortie has one.
        const refused = input.disposedOn
          ? validateInventoryItem(input)
          : [{ field: 'disposedOn', message: 'indiquez la date de sortie du bien' }];
        void check.submit(refused, () => onSave(input));
      }}
    >
      <DateField
        label="Sorti le"
        value={date}
        onChange={setDate}
        required
        name="disposedOn"
        error={check.onField('disposedOn')}
      />
      <TextField
        check={check}
        name="disposalReason"
        label="Motif"
        required
        hint="Hors d’usage, perdu, donné, vendu…"
        value={reason}
        onChange={setReason}
      />
    </BookForm>
  );
}

export function Inventaire({ api, engine, coop, year }: SideBookProps) {
  const chapters = inventoryChapters(engine.chart);
  const styles = useBookTableStyles();
  const {
    book,
    chosen,
    record: item,
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
    run,
    // The form shown: a new item's (its first values), or the chosen item's edit or disposal form.
  } = useRecords<InventoryCheckJson, InventoryItemJson, NewItem | 'edit' | 'disposal'>(api, {
    // The items belong to the coop; the exercise's check lists them with its purchases.
    read: `/api/coops/${encodeURIComponent(coop)}/exercises/${year}/inventory`,
    write: `/api/coops/${encodeURIComponent(coop)}/inventory`,
    records: (b) => b.items,
    removed: (i) => `« ${i.designation} » supprimé de l’inventaire.`,
  });

  /** The form of a new item from the selected line: its 6800 part, its libellé, its date. */
  const fromSelected = () =>
    run('Lecture de la ligne sélectionnée…', async () => {
      const { id, line } = await selectedLine(engine);
      const value = partOnChapters(line, chapters);
      if (line.kind !== 'depense' || value <= 0) {
        throw new Error(
          `La ligne PJ ${line.pj} n’est pas un achat de bien durable : seule une dépense ventilée en ${chapters.join(' ou ') || '6800'} s’inscrit à l’inventaire.`,
        );
      }
      const listed = book?.items.find((i) => i.lines.some((l) => l.id === id));
      if (listed) throw new Error(`La ligne PJ ${line.pj} est déjà inscrite : « ${listed.designation} ».`);
      show(
        null,
        itemFromLine({ id, pj: line.pj, date: line.date, libelle: line.libelle, kind: line.kind, amount: value }),
      );
    });

  const inscribe = (l: LineRef) => (
    <Button size="small" disabled={busy !== null} onClick={() => show(null, itemFromLine(l))}>
      Inscrire
    </Button>
  );

  return (
    <section aria-label="Inventaire" className="cc-form">
      <Text as="h2" size={400} weight="semibold">
        Cahier d’inventaire
      </Text>
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
                <PickableRow key={i.id} picked={i.id === chosen} name={i.designation} onPick={() => show(i.id)}>
                  <TableCell className={styles.nowrap}>{formatDateFr(i.acquiredOn)}</TableCell>
                  <TableCell className={styles.amount}>{formatEuros(i.value)}</TableCell>
                  <TableCell>{i.location ?? ''}</TableCell>
                  <TableCell className={styles.nowrap}>{i.disposedOn ? formatDateFr(i.disposedOn) : ''}</TableCell>
                  <TableCell>{i.disposalReason ?? ''}</TableCell>
                </PickableRow>
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
          <Button onClick={() => show(null, blankItem())}>Nouveau bien</Button>
        </div>
      )}
      {form && typeof form === 'object' && (
        <ItemForm
          key={form.lines[0]?.id ?? 'nouveau'}
          title="Nouveau bien à l’inventaire"
          base={form.base}
          lines={form.lines}
          onCancel={() => setForm(null)}
          onSave={(input) => create(input, (c) => `« ${c.designation} » inscrit à l’inventaire.`)}
        />
      )}
      <WorkState busy={busy} note={note} reading={book ? null : 'Lecture de l’inventaire…'} />
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
          <RecordActions
            onEdit={() => setForm('edit')}
            next={
              !item.disposedOn
                ? { label: 'Sortie de l’inventaire', onClick: () => setForm('disposal') }
                : {
                    label: 'Annuler la sortie',
                    disabled: busy !== null,
                    onClick: () =>
                      void run('Enregistrement…', () =>
                        put(item, { ...inputOf(item), disposedOn: null, disposalReason: null }),
                      ),
                  }
            }
            onRemove={() => setToDelete(item)}
          />
          {form === 'edit' && (
            <ItemForm
              key={item.id}
              title="Modifier le bien"
              base={inputOf(item)}
              lines={item.lines}
              onCancel={() => setForm(null)}
              onSave={(input) => put(item, input, 'Bien modifié.')}
            />
          )}
          {form === 'disposal' && (
            <DisposalForm
              key={item.id}
              base={inputOf(item)}
              onCancel={() => setForm(null)}
              onSave={(input) =>
                put(item, input, `« ${item.designation} » sorti de l’inventaire le ${formatDateFr(input.disposedOn!)}.`)
              }
            />
          )}
        </section>
      )}
      {book && (
        <BookProblems
          problems={book.problems}
          known={[]}
          pending={{ title: 'Achats de biens durables sans bien à l’inventaire :', lines: book.unlisted }}
          actions={inscribe}
        />
      )}
      <ConfirmRemoval {...removal} title="Supprimer ce bien de l’inventaire ?" confirm="Supprimer le bien">
        {toDelete ? `« ${toDelete.designation} » (${formatEuros(toDelete.value)}). ` : ''}
        Pour un bien qui a quitté l’école, enregistrez plutôt sa sortie : l’inventaire en garde la trace.
      </ConfirmRemoval>
    </section>
  );
}
