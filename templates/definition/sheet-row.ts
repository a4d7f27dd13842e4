/**
 * A line ↔ a row of the cahier table. The template builder and export write rows with
 * `lineToRow`; the add-in and import read typed rows back with `rowToLine`.
 */
import { chapterChoice, chapterCodeFromChoice, findChapter } from './chapters';
import {
  chapterKey,
  col,
  DRAFT_MARK,
  FORMULA_KEYS,
  POINTED_MARK,
  rowFormulas,
  type CahierColumn,
  type CahierLayout,
} from './columns';
import { dateToSerial, isIsoDate, parseDateFr, serialToDate } from './dates';
import {
  KINDS,
  MODE_LABELS,
  isAccount,
  isLineKind,
  modeFromLabel,
  movementCells,
  signatureOf,
  type MovementCells,
} from './kinds';
import type { CahierLine, LineInput, VentilationPart } from './line';
import { centsToEuros, eurosToCents, formatEuros } from './money';
import { hasErrors, problem, type Problem } from './rules';

export type SheetCell = string | number | boolean | null | { formula: string };

export interface RowExtras {
  /** Text of the status column. */
  status?: string;
  id?: string;
  version?: number;
}

/** True when the line goes to one chapter of its own side for its whole amount. */
export function isAutomaticVentilation(line: LineInput, layout: CahierLayout): boolean {
  if (!KINDS[line.kind].ventilated || line.ventilation.length !== 1) return false;
  const part = line.ventilation[0]!;
  const chapter = findChapter(layout.chart, part.chapter);
  return chapter !== undefined && chapter.side === KINDS[line.kind].side && part.amount === line.amount;
}

/** The cells of an empty row: formulas only. */
export function emptyRow(layout: CahierLayout, row: number): SheetCell[] {
  const formulas = rowFormulas(layout, row);
  return layout.columns.map((c) => (formulas[c.key] !== undefined ? { formula: formulas[c.key]! } : null));
}

export function lineToRow(layout: CahierLayout, line: CahierLine, row: number, extras: RowExtras = {}): SheetCell[] {
  const cells = emptyRow(layout, row);
  const set = (key: string, value: SheetCell) => {
    cells[col(layout, key).index] = value;
  };
  set('status', extras.status ?? null);
  set('pj', line.pj);
  set('date', isIsoDate(line.date) ? dateToSerial(line.date) : line.date || null);
  set('libelle', line.libelle);
  set('cheque', line.cheque ?? null);
  set('action', line.action ?? null);
  set('mode', line.mode ? MODE_LABELS[line.mode] : null);
  const movements = movementCells(line.kind, line.account, line.amount);
  for (const c of layout.movementColumns) {
    const v = movements[c.movement!];
    set(c.key, v === undefined ? null : centsToEuros(v));
  }
  set('holder', line.holder ?? null);
  set('pointage', line.pointed ? POINTED_MARK : null);
  if (isAutomaticVentilation(line, layout)) {
    set('chapitre', chapterChoice(findChapter(layout.chart, line.ventilation[0]!.chapter)!));
  } else {
    for (const part of line.ventilation) {
      const c = layout.byKey.get(chapterKey(part.chapter));
      if (c) set(c.key, centsToEuros(part.amount));
    }
  }
  set('id', extras.id ?? null);
  set('version', extras.version ?? null);
  return cells;
}

/** Unwraps what spreadsheet libraries return for a cell (formula results, rich text, dates). */
export function plainValue(value: unknown): string | number | boolean | Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('result' in o) return plainValue(o.result);
    if ('formula' in o || 'sharedFormula' in o) return null;
    if (Array.isArray(o.richText)) return o.richText.map((r: { text?: string }) => r.text ?? '').join('');
    if ('text' in o) return plainValue(o.text);
    if ('error' in o) return `#${String(o.error)}`;
  }
  return null;
}

/**
 * A cell's text on one line: a line break typed in the cell (Alt+Entrée) or a tab becomes a
 * space, as the paper cahier has one line per écriture (the service refuses control characters).
 */
function text(value: unknown): string {
  const v = plainValue(value);
  if (v === null) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v)
    .replace(/\s*[\r\n\t\u2028\u2029]+\s*/g, ' ')
    .trim();
}

function readDate(value: unknown): string {
  const v = plainValue(value);
  if (v === null || v === '') return '';
  if (typeof v === 'number') return serialToDate(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  const s = String(v).trim();
  return parseDateFr(s) ?? s;
}

/** A number typed in a money column, or undefined when empty. */
function readEuros(value: unknown): { cents?: number; bad?: string } {
  const v = plainValue(value);
  if (v === null || v === '') return {};
  const n =
    typeof v === 'number'
      ? v
      : Number(
          String(v)
            .replace(/[\s\u00a0\u202f€]/g, '')
            .replace(',', '.'),
        );
  if (!Number.isFinite(n)) return { bad: String(v) };
  const cents = eurosToCents(n);
  return cents === null ? { bad: String(v) } : { cents };
}

export interface ReadRow {
  /** Nothing typed in the row. */
  empty: boolean;
  /** The line, when the row can be read as one (it may still have problems). */
  line: CahierLine | null;
  /** Problems found while reading (the line's own rules are `validateLine`'s). */
  problems: Problem[];
  id: string | null;
  version: number | null;
}

/** Reads a row of the cahier table (values as the spreadsheet shows them). */
export function rowToLine(layout: CahierLayout, values: readonly unknown[]): ReadRow {
  const at = (key: string) => values[col(layout, key).index];
  const problems: Problem[] = [];
  const id = text(at('id')) || null;
  const versionRaw = plainValue(at('version'));
  const version = typeof versionRaw === 'number' ? versionRaw : Number(versionRaw) || null;

  const movement: MovementCells = {};
  for (const c of layout.movementColumns) {
    const r = readEuros(at(c.key));
    if (r.bad !== undefined) {
      problems.push(problem('montant_decimales', `« ${r.bad} » (${c.header}) n’est pas un montant à deux décimales.`));
    } else if (r.cents !== undefined && r.cents !== 0) movement[c.movement!] = r.cents;
  }
  const ventilation: VentilationPart[] = [];
  for (const c of layout.chapterColumns) {
    const r = readEuros(at(c.key));
    if (r.bad !== undefined) {
      problems.push(
        problem(
          'ventilation_decimales',
          `« ${r.bad} » (${c.header}) n’est pas un montant à deux décimales.`,
          c.chapter!.code,
        ),
      );
    } else if (r.cents !== undefined && r.cents !== 0) ventilation.push({ chapter: c.chapter!.code, amount: r.cents });
  }

  const typed = layout.columns.filter((c) => c.input && !FORMULA_KEYS.includes(c.key as never));
  const empty =
    Object.keys(movement).length === 0 &&
    ventilation.length === 0 &&
    typed.every((c) => c.type === 'amount' || text(at(c.key)) === '');
  if (empty) return { empty: true, line: null, problems: [], id, version };

  const modeText = text(at('mode'));
  const mode = modeText ? modeFromLabel(modeText) : null;
  if (modeText && !mode) problems.push(problem('mode_inconnu', `Le mode de paiement « ${modeText} » est inconnu.`));

  const filled = Object.values(movement);
  const signature = signatureOf(movement);
  if (filled.length === 0) {
    problems.push(problem('mouvement_absent', 'Saisissez le montant dans une colonne banque, caisse ou régie.'));
  } else if (!signature) {
    problems.push(
      problem(
        'mouvement_multiple',
        'Un montant par ligne : en banque, en caisse ou en régie (ou les deux colonnes d’un dépôt, d’un retrait ou d’une régie).',
      ),
    );
  } else if (new Set(filled).size > 1) {
    problems.push(
      problem(
        'mouvement_multiple',
        `Les deux montants d’une ligne « ${KINDS[signature.kind].label} » doivent être égaux (${filled.map(formatEuros).join(' et ')}).`,
      ),
    );
  }
  if (!signature || hasErrors(problems.filter((p) => p.field === 'amount'))) {
    return { empty: false, line: null, problems, id, version };
  }
  // Ventilation automatique: the chosen chapter takes the amount, even before the sheet has
  // recalculated its column (or where nothing recalculates it).
  const chosen = chapterCodeFromChoice(plainValue(at('chapitre')));
  if (ventilation.length === 0 && chosen && KINDS[signature.kind].ventilated) {
    const chapter = findChapter(layout.chart, chosen);
    const side = KINDS[signature.kind].side;
    const amount = filled[0]!;
    if (chapter) ventilation.push({ chapter: chapter.code, amount: chapter.side === side ? amount : -amount });
  }
  const line: CahierLine = {
    pj: text(at('pj')),
    date: readDate(at('date')),
    libelle: text(at('libelle')),
    mode,
    cheque: text(at('cheque')) || null,
    action: text(at('action')) || null,
    kind: signature.kind,
    account: signature.account,
    amount: filled[0]!,
    ventilation,
    holder: text(at('holder')) || null,
    pointed: text(at('pointage')).toUpperCase() === POINTED_MARK,
  };
  return { empty: false, line, problems, id, version };
}

/** The status column's text: ✓ when valid, else the first problem (errors first). */
export function statusText(problems: readonly Problem[]): string {
  const error = problems.find((p) => p.severity === 'error');
  if (error) return `${DRAFT_MARK} ${error.message}`;
  const warning = problems.find((p) => p.severity === 'warning');
  return warning ? `✓ ⚠ ${warning.message}` : '✓';
}

/**
 * The columns of the sheet a problem concerns, so the add-in and the exports can point at the
 * cell: the chapter's column for a problem on one chapter; the movement columns the line fills
 * for its amount or account; otherwise the columns carrying the problem's field.
 */
export function problemColumns(
  layout: CahierLayout,
  p: Pick<Problem, 'field' | 'chapter'>,
  line?: Pick<LineInput, 'kind' | 'account'>,
): CahierColumn[] {
  if (p.chapter !== undefined) {
    const c = layout.byKey.get(chapterKey(p.chapter));
    if (c) return [c];
  }
  if (p.field === 'amount' || p.field === 'account') {
    if (line && isLineKind(line.kind) && isAccount(line.account)) {
      const keys = Object.keys(movementCells(line.kind, line.account, 1));
      return layout.movementColumns.filter((c) => keys.includes(c.movement!));
    }
    return layout.movementColumns;
  }
  if (p.field === 'ventilation') return layout.columns.filter((c) => c.page === 'droite');
  return layout.columns.filter((c) => c.field === p.field);
}
