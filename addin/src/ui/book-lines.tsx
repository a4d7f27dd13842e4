/**
 * What the side books of the pane share about the cahier's lines: the selected line as the
 * service knows it (a line not yet sent cannot be attached to anything), a line shown as the
 * books show it, and what a book reports (the service's French sentence, the lines concerned).
 */
import type { ReactNode } from 'react';
import { MessageBar, MessageBarBody, Text, makeStyles } from '@fluentui/react-components';
import {
  formatDateFr,
  formatEuros,
  type BookProblem,
  type CahierLine,
  type LineRef,
} from '../../../templates/definition';
import { ApiError } from '../api';
import type { SyncEngine } from '../sync';

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
 * What a book reports: the service's sentence, and the lines it concerns (found among the
 * lines the book shows), each with its actions.
 */
export function BookProblems({
  problems,
  known,
  actions,
}: {
  problems: BookProblem[];
  known: LineRef[];
  actions?: (l: LineRef) => ReactNode;
}) {
  const byId = new Map(known.map((l) => [l.id, l]));
  return (
    <>
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
    </>
  );
}
