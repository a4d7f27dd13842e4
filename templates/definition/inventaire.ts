/**
 * The cahier d'inventaire: the coop's durable goods, kept across exercises. An item checked
 * (French errors naming the field), the 6800 lines it comes from checked, the items held during
 * an exercise, and what the closure blocks on (a 6800 amount with no item). Pure: plain values
 * in and out.
 *
 * Only validated lines count, as everywhere in the side books: a draft 6800 line may already be
 * named by an item, but it is neither a purchase of the exercise nor reported as unlisted until
 * it is validated (the closure refuses drafts anyway).
 */
import type { Chart } from './chapters';
import { exerciseBounds, exerciseLabel, formatDateFr, isIsoDate, isInExercise } from './dates';
import { formatEuros } from './money';
import { isCounted, reminderChapters, type LiveLine } from './side-books';
import type {
  BookFieldError,
  BookLine,
  BookProblem,
  InventoryCheckJson,
  InventoryItemInput,
  InventoryItemJson,
  InventoryJson,
  LineRef,
} from './side-book-contract';
import {
  bookLineRef,
  byDateThenPj,
  chapterNamesText,
  checkBookCents,
  checkBookDate,
  checkBookText,
  partOnChapters,
  pjListText,
  touchesChapters,
} from './subventions';

export const INVENTORY_LIMITS = { designation: 300, location: 200, disposalReason: 500, lines: 50 } as const;

/** An item as stored: its record, id and version. */
export interface InventoryRecord extends InventoryItemInput {
  id: number;
  version: number;
}

/** A line of the coop as the inventory reads it: the exercise it belongs to, deleted or not. */
export interface InventoryBookLine extends BookLine {
  /** The exercise (starting year). */
  exercise: number;
  deleted?: boolean;
}

/** The chapters whose amounts go to the inventory (6800 in the default chart). */
export function inventoryChapters(chart: Chart): string[] {
  return reminderChapters(chart, 'inventaire');
}

/** Every error of an item's record, in the order of its fields (the lines are checked apart). */
export function validateInventoryItem(input: InventoryItemInput): BookFieldError[] {
  const errors: BookFieldError[] = [];
  const L = INVENTORY_LIMITS;
  checkBookText(
    errors,
    'designation',
    input.designation,
    L.designation,
    'indiquez le bien (ex. « Vidéoprojecteur Epson, salle 2 »)',
  );
  checkBookDate(errors, 'acquiredOn', input.acquiredOn, 'indiquez la date d’acquisition du bien');
  checkBookCents(errors, 'value', input.value, 1, 'la valeur d’un bien est positive (en centimes)');
  if (!Array.isArray(input.lines)) errors.push({ field: 'lines', message: 'lines : liste de lignes attendue' });
  else {
    if (input.lines.length > L.lines) errors.push({ field: 'lines', message: `lines : ${L.lines} lignes au plus` });
    const seen = new Set<string>();
    input.lines.forEach((id, i) => {
      if (seen.has(id)) errors.push({ field: `lines[${i}]`, message: `lines[${i}] : ligne déjà citée` });
      seen.add(id);
    });
  }
  checkBookText(errors, 'location', input.location, L.location, null);
  checkBookDate(errors, 'disposedOn', input.disposedOn, null);
  const disposed = input.disposedOn !== null && input.disposedOn !== undefined;
  if (disposed && isIsoDate(input.disposedOn) && isIsoDate(input.acquiredOn) && input.disposedOn < input.acquiredOn) {
    errors.push({
      field: 'disposedOn',
      message: `disposedOn : la sortie (${formatDateFr(input.disposedOn)}) ne peut précéder l’acquisition (${formatDateFr(input.acquiredOn)})`,
    });
  }
  if (disposed) {
    checkBookText(
      errors,
      'disposalReason',
      input.disposalReason,
      L.disposalReason,
      'indiquez pourquoi le bien sort de l’inventaire (hors d’usage, volé, donné, vendu…)',
    );
  } else if (typeof input.disposalReason === 'string' && input.disposalReason.trim()) {
    errors.push({
      field: 'disposedOn',
      message: 'disposedOn : indiquez la date de sortie du bien (un motif de sortie est donné)',
    });
  }
  return errors;
}

/** The record as stored: texts trimmed, empty ones are none. */
export function normalizeInventoryItem(input: InventoryItemInput): InventoryItemInput {
  const disposedOn = input.disposedOn ?? null;
  return {
    designation: input.designation.trim(),
    acquiredOn: input.acquiredOn,
    value: input.value,
    lines: [...input.lines],
    location: input.location?.trim() || null,
    disposedOn,
    disposalReason: disposedOn ? input.disposalReason?.trim() || null : null,
  };
}

/**
 * The lines an item comes from, checked against the coop's lines found (any exercise): each
 * must exist, be live and have a part on a durable-goods chapter.
 */
export function checkInventoryLines(
  ids: readonly string[],
  found: ReadonlyMap<string, InventoryBookLine>,
  chart: Chart,
): BookFieldError[] {
  const chapters = inventoryChapters(chart);
  const errors: BookFieldError[] = [];
  ids.forEach((id, i) => {
    const field = `lines[${i}]`;
    const line = found.get(id);
    const where = line ? `la ligne PJ ${line.pj} de l’exercice ${exerciseLabel(line.exercise)}` : '';
    if (!line) errors.push({ field, message: `${field} : aucune ligne de la coopérative n’a l’identifiant ${id}` });
    else if (line.deleted) errors.push({ field, message: `${field} : ${where} a été supprimée` });
    else if (!touchesChapters(line, chapters)) {
      errors.push({
        field,
        message: `${field} : ${where} n’a pas de part en ${chapterNamesText(chart, chapters) || 'biens durables'} : seules ces dépenses vont au cahier d’inventaire`,
      });
    }
  });
  return errors;
}

/** The item with the lines it comes from (their durable-goods part); lines deleted since are left out. */
export function inventoryItemJson(
  item: InventoryRecord,
  lines: ReadonlyMap<string, InventoryBookLine>,
  chart: Chart,
): InventoryItemJson {
  const chapters = inventoryChapters(chart);
  const refs: (LineRef & { exercise: number })[] = [];
  for (const id of item.lines) {
    const line = lines.get(id);
    if (line && !line.deleted)
      refs.push({ ...bookLineRef(line, partOnChapters(line, chapters)), exercise: line.exercise });
  }
  const { lines: _ids, ...record } = normalizeInventoryItem(item);
  return { id: item.id, version: item.version, ...record, lines: refs.sort(byDateThenPj) };
}

/** Held at some time during the exercise: acquired before its end, not disposed of before its start. */
export function heldDuring(item: Pick<InventoryItemInput, 'acquiredOn' | 'disposedOn'>, year: number): boolean {
  const { start, end } = exerciseBounds(year);
  return item.acquiredOn <= end && (!item.disposedOn || item.disposedOn >= start);
}

const byAcquisition = (a: InventoryItemJson, b: InventoryItemJson) =>
  a.acquiredOn === b.acquiredOn ? a.id - b.id : a.acquiredOn < b.acquiredOn ? -1 : 1;

/** The coop's whole inventory, with the value still held and the value disposed of. */
export function inventoryBook(
  items: readonly InventoryRecord[],
  lines: ReadonlyMap<string, InventoryBookLine>,
  chart: Chart,
): InventoryJson {
  const list = items.map((i) => inventoryItemJson(i, lines, chart)).sort(byAcquisition);
  let held = 0;
  let disposed = 0;
  for (const i of list) {
    if (i.disposedOn) disposed += i.value;
    else held += i.value;
  }
  return { items: list, totals: { held, disposed } };
}

/** What the cahier d'inventaire reports for an exercise: errors block the closure. */
export function inventoryProblems(
  year: number,
  unlisted: readonly LineRef[],
  purchases: readonly LineRef[],
  totals: InventoryCheckJson['totals'],
  chart: Chart,
): BookProblem[] {
  const codes = inventoryChapters(chart).join(', ');
  if (unlisted.length) {
    const n = unlisted.length;
    const total = unlisted.reduce((s, l) => s + l.amount, 0);
    return [
      {
        code: 'inventaire_manquant',
        severity: 'error',
        message:
          n === 1
            ? `La dépense de biens durables ${pjListText(unlisted)} (${formatEuros(total)} en ${codes}) n’est inscrite à aucun bien du cahier d’inventaire : créez le bien à partir de cette ligne (ou rattachez-la au bien qu’elle concerne).`
            : `${n} dépenses de biens durables (${pjListText(unlisted)}, ${formatEuros(total)} en ${codes}) ne sont inscrites à aucun bien du cahier d’inventaire : créez un bien à partir de chacune (ou rattachez-la au bien qu’elle concerne).`,
        lines: unlisted.map((l) => l.id),
      },
    ];
  }
  if (totals.listed !== totals.purchases) {
    return [
      {
        code: 'inventaire_ecart',
        severity: 'warning',
        message: `Les biens acquis pendant l’exercice ${exerciseLabel(year)} valent ${formatEuros(totals.listed)} au cahier d’inventaire, les achats de biens durables (${codes}) ${formatEuros(totals.purchases)} : écart de ${formatEuros(totals.listed - totals.purchases)}. Vérifiez la valeur et la date d’acquisition des biens (un bien reçu en don n’a pas de dépense : l’écart est alors normal).`,
        lines: purchases.map((l) => l.id),
      },
    ];
  }
  return [];
}

/**
 * The inventory as one exercise sees it: the items held during it (or coming from its lines),
 * its validated durable-goods lines with no item, the totals and the problems.
 *
 * @param lines the live lines of the exercise (drafts are not counted)
 * @param itemLines the lines the coop's items come from (any exercise), by id
 */
export function inventoryCheck(
  year: number,
  items: readonly InventoryRecord[],
  lines: readonly LiveLine[],
  itemLines: ReadonlyMap<string, InventoryBookLine>,
  chart: Chart,
): InventoryCheckJson {
  const chapters = inventoryChapters(chart);
  const own = new Set(lines.map((l) => l.id));
  const listedLines = new Set(items.flatMap((i) => i.lines));
  const purchases = lines
    .filter((l) => isCounted(l) && touchesChapters(l, chapters))
    .map((l) => bookLineRef(l, partOnChapters(l, chapters)))
    .sort(byDateThenPj);
  const unlisted = purchases.filter((l) => !listedLines.has(l.id));
  const totals = {
    purchases: purchases.reduce((s, l) => s + l.amount, 0),
    listed: items.filter((i) => isInExercise(i.acquiredOn, year)).reduce((s, i) => s + i.value, 0),
  };
  const held = items
    .filter((i) => heldDuring(i, year) || i.lines.some((id) => own.has(id)))
    .map((i) => inventoryItemJson(i, itemLines, chart))
    .sort(byAcquisition);
  return { items: held, unlisted, totals, problems: inventoryProblems(year, unlisted, purchases, totals, chart) };
}
