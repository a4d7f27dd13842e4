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
  Field,
  Input,
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
  inventoryChapters,
  partOnChapters,
  validateInventoryItem,
  type InventoryCheckJson,
  type InventoryItemInput,
  type InventoryItemJson,
  type LineRef,
} from '../../../templates/definition';
import { today } from './entry-form';
import { AmountInput, DateField, amountError, formatAmount } from './fields';
import {
  BookProblems,
  ConfirmRemoval,
  FormEnd,
  LineRefList,
  PickableRow,
  WorkState,
  errorText,
  lineRefText,
  selectedLine,
  useBookTableStyles,
  useFormCheck,
  useWork,
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

/** A new item from a 6800 line: its libellé, its date, its 6800 part, the line linked. */
export function itemFromLine(l: LineRef): NewItem {
  return {
    base: {
      designation: l.libelle,
      acquiredOn: l.date,
      value: l.amount,
      lines: [l.id],
      location: null,
      disposedOn: null,
      disposalReason: null,
    },
    lines: [l],
  };
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
  const check = useFormCheck(['designation', 'value', 'location']);
  return (
    <form
      className="cc-form cc-ventilation"
      // The shared rules check it and answer in French under each field, whatever the browser's language.
      noValidate
      aria-label={title}
      onSubmit={(e) => {
        e.preventDefault();
        const amount = parseEuros(value || '0');
        const input: InventoryItemInput = {
          ...base,
          designation: designation.trim(),
          acquiredOn,
          value: 'cents' in amount ? amount.cents : 0,
          location: location.trim() || null,
        };
        const refused = 'error' in amount ? [{ field: 'value', message: amount.error }] : validateInventoryItem(input);
        void check.submit(refused, () => onSave(input));
      }}
    >
      <Text weight="semibold">{title}</Text>
      <Field
        label="Désignation"
        required
        hint="Le bien, comme on le reconnaît : « Vidéoprojecteur Epson EB-W06 »."
        validationMessage={check.onField('designation')}
      >
        <Input value={designation} onChange={(_, v) => setDesignation(v.value)} name="designation" />
      </Field>
      <div className="cc-row">
        <DateField label="Acquis le" value={acquiredOn} onChange={setAcquiredOn} required name="acquiredOn" />
        <Field label="Valeur (€)" required validationMessage={amountError(value) ?? check.onField('value')}>
          <AmountInput value={value} onChange={setValue} name="value" placeholder="0,00" />
        </Field>
      </div>
      <Field
        label="Lieu"
        hint="Où il se trouve : classe de CM1, bibliothèque…"
        validationMessage={check.onField('location')}
      >
        <Input value={location} onChange={(_, v) => setLocation(v.value)} name="location" />
      </Field>
      {lines.length > 0 && (
        <>
          <Text size={200}>Acheté par :</Text>
          <LineRefList label="Lignes d’achat du bien" lines={lines} />
        </>
      )}
      <FormEnd error={check.error} save="Enregistrer le bien" busy={check.busy} onCancel={onCancel} />
    </form>
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
  const check = useFormCheck(['disposalReason']);
  return (
    <form
      className="cc-form cc-ventilation"
      // The shared rules check it and answer in French under each field, whatever the browser's language.
      noValidate
      aria-label="Sortie de l’inventaire"
      onSubmit={(e) => {
        e.preventDefault();
        const input: InventoryItemInput = { ...base, disposedOn: date || null, disposalReason: reason.trim() || null };
        void check.submit(validateInventoryItem(input), () => onSave(input));
      }}
    >
      <DateField label="Sorti le" value={date} onChange={setDate} required name="disposedOn" />
      <Field
        label="Motif"
        required
        hint="Hors d’usage, perdu, donné, vendu…"
        validationMessage={check.onField('disposalReason')}
      >
        <Input value={reason} onChange={(_, v) => setReason(v.value)} name="disposalReason" />
      </Field>
      <FormEnd error={check.error} save="Enregistrer la sortie" busy={check.busy} onCancel={onCancel} />
    </form>
  );
}

export function Inventaire({ api, engine, coop, year }: SideBookProps) {
  const items = `/api/coops/${encodeURIComponent(coop)}/inventory`;
  const check = `/api/coops/${encodeURIComponent(coop)}/exercises/${year}/inventory`;
  const chapters = inventoryChapters(engine.chart);
  const styles = useBookTableStyles();
  const [book, setBook] = useState<InventoryCheckJson | null>(null);
  const [chosen, setChosen] = useState<number | null>(null);
  /** A new item's form (its first values), or the chosen item's edit or disposal form. */
  const [form, setForm] = useState<NewItem | 'edit' | 'disposal' | null>(null);
  const [toDelete, setToDelete] = useState<InventoryItemJson | null>(null);
  const { busy, note, setNote, run } = useWork();

  const load = async () => setBook(await api.request<InventoryCheckJson>('GET', check));

  useEffect(() => {
    load().catch((e: unknown) => setNote({ intent: 'error', text: errorText(e) }));
  }, [api, coop, year]);

  const item = book?.items.find((i) => i.id === chosen) ?? null;

  const put = async (i: InventoryItemJson, input: InventoryItemInput) => {
    await api.request<InventoryItemJson>('PUT', `${items}/${i.id}`, input, { 'If-Match': `"${i.version}"` });
    await load();
  };

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
      setChosen(null);
      setForm(
        itemFromLine({ id, pj: line.pj, date: line.date, libelle: line.libelle, kind: line.kind, amount: value }),
      );
    });

  const create = async (input: InventoryItemInput) => {
    const created = await api.request<InventoryItemJson>('POST', items, input);
    setForm(null);
    await load();
    setChosen(created.id);
    setNote({ intent: 'success', text: `« ${created.designation} » inscrit à l’inventaire.` });
  };

  const remove = (i: InventoryItemJson) =>
    run('Suppression…', async () => {
      await api.request('DELETE', `${items}/${i.id}`, undefined, { 'If-Match': `"${i.version}"` });
      setChosen(null);
      await load();
      setNote({ intent: 'success', text: `« ${i.designation} » supprimé de l’inventaire.` });
    });

  const inscribe = (l: LineRef) => (
    <Button
      size="small"
      disabled={busy !== null}
      onClick={() => {
        setChosen(null);
        setForm(itemFromLine(l));
      }}
    >
      Inscrire
    </Button>
  );

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
                <PickableRow
                  key={i.id}
                  picked={i.id === chosen}
                  name={i.designation}
                  onPick={() => {
                    setChosen(i.id);
                    setForm(null);
                  }}
                >
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
          <Button
            onClick={() => {
              setChosen(null);
              setForm({
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
              });
            }}
          >
            Nouveau bien
          </Button>
        </div>
      )}
      {form && typeof form === 'object' && (
        <ItemForm
          key={form.lines[0]?.id ?? 'nouveau'}
          title="Nouveau bien à l’inventaire"
          base={form.base}
          lines={form.lines}
          onCancel={() => setForm(null)}
          onSave={create}
        />
      )}
      <WorkState busy={busy} note={note} />
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
              base={inputOf(item)}
              lines={item.lines}
              onCancel={() => setForm(null)}
              onSave={async (input) => {
                await put(item, input);
                setForm(null);
                setNote({ intent: 'success', text: 'Bien modifié.' });
              }}
            />
          )}
          {form === 'disposal' && (
            <DisposalForm
              key={item.id}
              base={inputOf(item)}
              onCancel={() => setForm(null)}
              onSave={async (input) => {
                await put(item, input);
                setForm(null);
                setNote({
                  intent: 'success',
                  text: `« ${item.designation} » sorti de l’inventaire le ${formatDateFr(input.disposedOn!)}.`,
                });
              }}
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
      <ConfirmRemoval
        open={toDelete !== null}
        title="Supprimer ce bien de l’inventaire ?"
        confirm="Supprimer le bien"
        onClose={() => setToDelete(null)}
        onConfirm={() => toDelete && void remove(toDelete)}
      >
        {toDelete ? `« ${toDelete.designation} » (${formatEuros(toDelete.value)}). ` : ''}
        Pour un bien qui a quitté l’école, enregistrez plutôt sa sortie : l’inventaire en garde la trace.
      </ConfirmRemoval>
    </section>
  );
}
