/**
 * What the side books of the pane (and the pièces of a line) share: the selected line as the
 * service knows it (a line not yet sent cannot be attached to anything), a line shown as the
 * books show it, what a book reports (the service's French sentence, the lines concerned), the
 * book read when its view opens, the work under way and what it says after, a book of records
 * picked, created, modified and removed, a small form and its fields, a removal confirmed.
 */
import { useEffect, useState, type ReactNode } from 'react';
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
  MessageBar,
  MessageBarBody,
  Link,
  Spinner,
  TableCell,
  TableRow,
  Text,
  Textarea,
  makeStyles,
} from '@fluentui/react-components';
import {
  formatDateFr,
  formatEuros,
  parseEuros,
  type BookFieldError,
  type BookProblem,
  type CahierLine,
  type LineRef,
} from '../../../templates/definition';
import { ApiError, type Api } from '../api';
import type { SyncEngine } from '../sync';
import { AmountInput, amountError } from './fields';

export const NOT_SELECTED = 'Sélectionnez d’abord une ligne du cahier dans la feuille.';
export const NOT_STORED =
  'Cette ligne n’est pas encore enregistrée sur le service : attendez qu’elle soit envoyée (⏳ à envoyer), puis recommencez.';

/**
 * A book's table in a narrow pane: it keeps its columns readable (amounts and dates on one
 * line, right-aligned amounts) and scrolls sideways when the pane is narrower than it.
 */
export const useBookTableStyles = makeStyles({
  scroll: { overflowX: 'auto', maxWidth: '100%' },
  table: { tableLayout: 'auto', minWidth: '520px' },
  nowrap: { whiteSpace: 'nowrap' },
  amount: { whiteSpace: 'nowrap', textAlign: 'right' },
  name: { textAlign: 'left' },
});

/**
 * A row of a book's table the treasurer picks to see it in full and change it: its first cell
 * names it (a link, so the keyboard reaches it); a click anywhere on the row picks it.
 */
export function PickableRow({
  picked,
  onPick,
  name,
  children,
}: {
  picked: boolean;
  onPick: () => void;
  name: string;
  children: ReactNode;
}) {
  const styles = useBookTableStyles();
  return (
    <TableRow aria-selected={picked} appearance={picked ? 'brand' : 'none'} onClick={onPick}>
      <TableCell>
        <Link as="button" className={styles.name}>
          {name}
        </Link>
      </TableCell>
      {children}
    </TableRow>
  );
}

/** The line at a data row of the sheet, once the service holds it (else a French error). */
export async function storedLine(engine: SyncEngine, row: number | null): Promise<{ id: string; line: CahierLine }> {
  const [s] = row === null ? [] : await engine.readSheet([row]);
  if (!s?.line) throw new Error(NOT_SELECTED);
  if (!s.id || (await engine.storedVersion(s.id)) === null) throw new Error(NOT_STORED);
  return { id: s.id, line: s.line };
}

/** The line selected in the sheet, once the service holds it (else a French error). */
export async function selectedLine(engine: SyncEngine): Promise<{ id: string; line: CahierLine }> {
  return storedLine(engine, await engine.workbook.selectedRow());
}

/** What to tell the treasurer of a failure: the service's sentences, or the error's. */
export function errorText(e: unknown): string {
  return e instanceof ApiError ? e.sentences : (e as Error).message;
}

/** « PJ 04 · 18/09/2025 · Carrefour – goûter · 45,90 € » */
export function lineRefText(l: LineRef): string {
  return `PJ ${l.pj} · ${formatDateFr(l.date)} · ${l.libelle} · ${formatEuros(l.amount)}`;
}

/** Lines listed, each with its actions (a button to detach, to list…). */
export function LineRefList({
  label,
  lines,
  actions,
  empty,
}: {
  label: string;
  lines: LineRef[];
  actions?: (l: LineRef) => ReactNode;
  empty?: string;
}) {
  return (
    <ul className="cc-list" aria-label={label}>
      {lines.map((l) => (
        <li key={l.id}>
          <span>{lineRefText(l)}</span>
          {actions && <span className="cc-row">{actions(l)}</span>}
        </li>
      ))}
      {lines.length === 0 && empty && <li>{empty}</li>}
    </ul>
  );
}

/**
 * What a book reports before the closure: the service's sentences, each with the lines it
 * concerns (found among the lines the book shows) and their actions; the lines waiting for
 * something that no sentence names are listed under `pending.title`.
 */
export function BookProblems({
  problems,
  known,
  pending,
  actions,
}: {
  problems: BookProblem[];
  known: LineRef[];
  pending: { title: string; lines: LineRef[] };
  actions?: (l: LineRef) => ReactNode;
}) {
  const byId = new Map([...pending.lines, ...known].map((l) => [l.id, l]));
  const named = new Set(problems.flatMap((p) => p.lines));
  const rest = pending.lines.filter((l) => !named.has(l.id));
  return (
    <section aria-label="À régler avant la clôture" className="cc-form">
      {problems.map((p) => {
        const lines = p.lines.flatMap((id) => byId.get(id) ?? []);
        return (
          <MessageBar key={`${p.code}-${p.lines.join()}`} intent={p.severity === 'error' ? 'error' : 'warning'}>
            <MessageBarBody>
              <Text block>{p.message}</Text>
              {lines.length > 0 && <LineRefList label={p.message} lines={lines} actions={actions} />}
            </MessageBarBody>
          </MessageBar>
        );
      })}
      {rest.length > 0 && (
        <MessageBar intent="warning">
          <MessageBarBody>
            <Text block>{pending.title}</Text>
            <LineRefList label={pending.title} lines={rest} actions={actions} />
          </MessageBarBody>
        </MessageBar>
      )}
    </section>
  );
}

export type Note = { intent: 'success' | 'error' | 'info'; text: string };

/**
 * One piece of work at a time (its label shown while it runs) and what it says after; a
 * failure is told in French, then `onFailure` runs (e.g. the book read again).
 */
export function useWork(onFailure?: () => Promise<unknown>) {
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState<Note | null>(null);
  const run = async (label: string, work: () => Promise<void>) => {
    setBusy(label);
    setNote(null);
    try {
      await work();
    } catch (e) {
      setNote({ intent: 'error', text: errorText(e) });
      await onFailure?.().catch(() => undefined);
    } finally {
      setBusy(null);
    }
  };
  return { busy, note, setNote, run };
}

/**
 * A book read from the service when its view opens, and the work done on it (`useWork`): after
 * a failure the book is read again, so the view shows what the service holds.
 */
export function useBook<T>(api: Api, path: string) {
  const [book, setBook] = useState<T | null>(null);
  const load = async () => setBook(await api.request<T>('GET', path));
  const work = useWork(load);
  useEffect(() => {
    load().catch((e: unknown) => work.setNote({ intent: 'error', text: errorText(e) }));
  }, [api, path]);
  return { book, load, ...work };
}

/** The book being read (`reading`, until it is read or its failure told), the work under way, then what it said. */
export function WorkState({
  busy,
  note,
  reading,
}: {
  busy: string | null;
  note: Note | null;
  reading?: string | null;
}) {
  return (
    <>
      {reading && !note && <Spinner size="tiny" label={reading} />}
      {busy && <Spinner size="tiny" label={busy} />}
      {note && (
        <MessageBar intent={note.intent}>
          <MessageBarBody>{note.text}</MessageBarBody>
        </MessageBar>
      )}
    </>
  );
}

/** The field a refusal names: "actions[1]" → "actions". */
const fieldOf = (e: BookFieldError) =>
  e.field
    .replace(/\[\d+\]/g, '')
    .split('.')
    .pop() ?? e.field;
/** The sentence without the field's name before it (« financeur : indiquez… » → « indiquez… »). */
const sentenceOf = (e: BookFieldError) => e.message.replace(/^[\w.[\]]+ : /, '');
const capital = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);

/**
 * A small form of a book checked with the shared rules before it is sent (the service checks
 * the same): each refusal under its field when the form shows it, the others (and a refusal of
 * the service that names no field) above the buttons.
 */
export function useFormCheck(shown: readonly string[]) {
  const [errors, setErrors] = useState<BookFieldError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const onField = (name: string): string | undefined => {
    const e = errors.find((x) => fieldOf(x) === name);
    return e && sentenceOf(e);
  };
  const others = errors.filter((e) => !shown.includes(fieldOf(e))).map((e) => capital(sentenceOf(e)));
  const error = [...others, ...(failure ? [failure] : [])].join(' ; ') || null;
  /** Sends when nothing is refused here; what the service refuses is shown the same way. */
  const submit = async (checked: BookFieldError[], save: () => Promise<void>) => {
    setErrors(checked);
    setFailure(null);
    if (checked.length) return;
    setBusy(true);
    try {
      await save();
    } catch (e) {
      const refused = e instanceof ApiError && Array.isArray(e.body.errors) ? (e.body.errors as BookFieldError[]) : [];
      if (refused.length) setErrors(refused);
      else setFailure(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return { onField, error, busy, submit };
}

export type FormCheck = ReturnType<typeof useFormCheck>;

/**
 * A small form of a book: its name (shown as its title when `heading`), its fields, then the
 * refusal in French, the button that saves and « Annuler ». The shared rules check it and answer
 * in French under each field, whatever the browser's language: no browser validation.
 */
export function BookForm({
  label,
  heading = false,
  check,
  save,
  onSubmit,
  onCancel,
  children,
}: {
  label: string;
  heading?: boolean;
  check: FormCheck;
  save: string;
  onSubmit: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <form
      className="cc-form cc-ventilation"
      noValidate
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {heading && <Text weight="semibold">{label}</Text>}
      {children}
      {check.error && (
        <MessageBar intent="error">
          <MessageBarBody>{check.error}</MessageBarBody>
        </MessageBar>
      )}
      <div className="cc-row">
        <Button appearance="primary" type="submit" disabled={check.busy}>
          {save}
        </Button>
        <Button onClick={onCancel}>Annuler</Button>
      </div>
    </form>
  );
}

/** A text of a book form (`name`: the field the rules name), its refusal under it. */
export function TextField({
  check,
  name,
  label,
  hint,
  required,
  multiline = false,
  value,
  onChange,
}: {
  check: FormCheck;
  name: string;
  label: string;
  hint?: string;
  required?: boolean;
  multiline?: boolean;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field label={label} required={required} hint={hint} validationMessage={check.onField(name)}>
      {multiline ? (
        <Textarea value={value} onChange={(_, v) => onChange(v.value)} name={name} />
      ) : (
        <Input value={value} onChange={(_, v) => onChange(v.value)} name={name} />
      )}
    </Field>
  );
}

/** An amount of a book form, typed 1 234,56: what is no amount refused as typed, then the rules' refusal. */
export function AmountField({
  check,
  name,
  label,
  value,
  onChange,
}: {
  check: FormCheck;
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field label={label} required validationMessage={amountError(value) ?? check.onField(name)}>
      <AmountInput value={value} onChange={onChange} name={name} placeholder="0,00" />
    </Field>
  );
}

/** The cents of an amount typed in a book form (0 when empty), or its refusal under `field`. */
export function typedCents(field: string, text: string): { cents: number; refused: BookFieldError[] } {
  const r = parseEuros(text || '0');
  return 'cents' in r ? { cents: r.cents, refused: [] } : { cents: 0, refused: [{ field, message: r.error }] };
}

/** A record of a book the service keeps with its version (a subsidy, an inventory item). */
interface Versioned {
  id: number;
  version: number;
}

/**
 * A book of records read from `read` and written under `write` (POST, PUT and DELETE with the
 * version read, so a record changed meanwhile is refused rather than overwritten): the record
 * picked, the form shown (`F`: which one), the record whose removal waits for a confirmation
 * (`removal`, for `ConfirmRemoval`; `removed` tells it done).
 */
export function useRecords<B, R extends Versioned, F>(
  api: Api,
  {
    read,
    write,
    records,
    removed,
  }: { read: string; write: string; records: (book: B) => R[]; removed: (record: R) => string },
) {
  const b = useBook<B>(api, read);
  const [chosen, setChosen] = useState<number | null>(null);
  const [form, setForm] = useState<F | null>(null);
  const [toDelete, setToDelete] = useState<R | null>(null);
  const record = (b.book && records(b.book).find((r) => r.id === chosen)) ?? null;
  const success = (text: string) => b.setNote({ intent: 'success', text });
  const version = (r: R) => ({ 'If-Match': `"${r.version}"` });
  return {
    ...b,
    chosen,
    record,
    /** The record picked (or none) and the form shown (or none). */
    show: (id: number | null, f: F | null = null) => {
      setChosen(id);
      setForm(f);
    },
    form,
    setForm,
    toDelete,
    setToDelete,
    /** Created from its form, then picked, and `done` tells it. */
    create: async (input: unknown, done: (created: R) => string) => {
      const created = await api.request<R>('POST', write, input);
      setForm(null);
      await b.load();
      setChosen(created.id);
      success(done(created));
    },
    /** Saved; from a form (`done` given), the form closes and `done` tells it. */
    put: async (r: R, input: unknown, done?: string) => {
      await api.request<R>('PUT', `${write}/${r.id}`, input, version(r));
      await b.load();
      if (done === undefined) return;
      setForm(null);
      success(done);
    },
    removal: {
      open: toDelete !== null,
      onClose: () => setToDelete(null),
      onConfirm: () =>
        toDelete &&
        void b.run('Suppression…', async () => {
          await api.request('DELETE', `${write}/${toDelete.id}`, undefined, version(toDelete));
          setChosen(null);
          await b.load();
          success(removed(toDelete));
        }),
    },
  };
}

/**
 * What the treasurer does with the record picked: modify it, its next step (mark it justified,
 * record its disposal) or that step undone, remove it.
 */
export function RecordActions({
  onEdit,
  next,
  onRemove,
}: {
  onEdit: () => void;
  next: { label: string; onClick: () => void; disabled?: boolean };
  onRemove: () => void;
}) {
  return (
    <div className="cc-row">
      <Button onClick={onEdit}>Modifier</Button>
      <Button disabled={next.disabled} onClick={next.onClick}>
        {next.label}
      </Button>
      <Button appearance="subtle" onClick={onRemove}>
        Supprimer
      </Button>
    </div>
  );
}

/** A removal asked for: nothing goes before the treasurer confirms. */
export function ConfirmRemoval({
  open,
  title,
  confirm,
  onConfirm,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  confirm: string;
  onConfirm: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <Dialog open={open} onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent>{children}</DialogContent>
          <DialogActions>
            <Button
              appearance="primary"
              onClick={() => {
                onClose();
                onConfirm();
              }}
            >
              {confirm}
            </Button>
            <Button onClick={onClose}>Annuler</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
