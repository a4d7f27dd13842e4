/**
 * The import of a legacy cahier (an old OCCE workbook or a department's variant, .xlsx, .xls,
 * .ods) into a coop's exercise: the file read (server/formats/legacy), its grid read by the pure
 * reader (templates/definition/legacy), the coop resolved, the exercise opened with the report à
 * nouveau, the department's chart completed with the sheet's new chapters, and every line stored
 * through the lines' write path — all in one transaction: a file is imported whole or not at all.
 *
 * Importing the same file again changes nothing: a line's id is derived from the coop, the
 * exercise, the line's content and its occurrence among identical rows, so the lines already
 * imported are recognised. An exercise holding lines from elsewhere is not overwritten unless
 * the caller asks to merge. A dry run goes through the very same transaction and rolls it back.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { UniqueConstraintError, type Transaction } from 'sequelize';
import {
  DEFAULT_CHART,
  KINDS,
  LegacyReadError,
  coopFromText,
  exerciseBounds,
  exerciseLabel,
  exerciseOf,
  formatEuros,
  isAccount,
  isLineKind,
  movementKey,
  movementTotals,
  chapterTotals,
  readLegacy,
  touchesBank,
  unreadableValue,
  type Chapter,
  type Chart,
  type ImportFileReport,
  type ImportProblem,
  type LegacyLine,
  type LegacyMapping,
  type LegacyReading,
  type LegacyWorkbook,
  type LineInput,
  type MovementKey,
  type Problem,
} from '../../templates/definition';
import { LegacyFileError, readLegacyFile } from '../formats/legacy';
import type { Db } from '../db/connect';
import type { CoopRow, ExerciseRow, LineRow } from '../db/models';
import { canAccessCoop, chartOf, type Principal } from './access';
import { auditExercise } from './accounts';
import type { Scope } from './changes';
import { ServiceError } from './errors';
import { canonical, syncLines } from './lines';
import { auditSideBook } from './side-book-audit';

export interface LegacyImportInput {
  /** The file's name (for messages and the report). */
  file: string;
  bytes: Buffer;
  /** The coop's number; absent: recognised from the file. */
  coop?: string;
  /** The exercise's starting year; absent: found from the dates or the title. */
  year?: number;
  /** Computes the whole report and stores nothing. */
  dryRun?: boolean;
  /** Adds the file's lines to an exercise that already holds lines from elsewhere. */
  merge?: boolean;
  /** A saved column mapping, for a layout the detector cannot read. */
  mapping?: LegacyMapping;
}

/** The report, and what the import did to the exercise (not part of the report's documented shape). */
export interface LegacyImportOutcome {
  report: ImportFileReport;
  /** Lines stored by this import (in a dry run: those it would store). */
  added: number;
  /** Lines of the file found already stored (a previous import of the same file). */
  recognised: number;
}

/** Only a department's trésorier or an admin imports old cahiers. */
export const importReservedToTreasurer = () =>
  new ServiceError(
    403,
    'reservee_au_tresorier',
    'Seul le trésorier départemental (ou un administrateur) peut importer un ancien cahier.',
  );

/** A file refused: the report says why, nothing is stored. */
class Rejection extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A dry run's transaction is rolled back by throwing its result. */
class DryRunDone<T> extends Error {
  constructor(readonly result: T) {
    super('dry run');
  }
}

// ── Line ids ─────────────────────────────────────────────────────────────────────────────

/** The namespace of imported lines' ids (a fixed, random UUID). */
const NAMESPACE = Buffer.from('3b0c6f0e9d2a4f4e8c1d5a7b2e6f9c41', 'hex');

/** A name-based UUID (version 5: SHA-1 of the namespace and the name). */
export function nameUuid(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The ids of a file's lines: the same content in the same coop and exercise gives the same id;
 * identical rows are told apart by their occurrence (the second « Cotisation OCCE 25 € » row).
 */
export function legacyLineIds(coop: string, year: number, lines: readonly LineInput[]): string[] {
  const seen = new Map<string, number>();
  return lines.map((line) => {
    const content = JSON.stringify(canonical(line));
    const occurrence = (seen.get(content) ?? 0) + 1;
    seen.set(content, occurrence);
    return nameUuid(JSON.stringify(['cahier-import', coop, year, content, occurrence]));
  });
}

// ── What storage holds ───────────────────────────────────────────────────────────────────

/** The widths of the line's text columns (server/db/models.ts). */
const WIDTHS = { pj: 40, date: 10, libelle: 500, cheque: 40, action: 100, holder: 100 } as const;

const CONTROL = /[\p{Cc}\p{Cs}]/gu;

/**
 * The line as storage can hold it: texts without control characters, cut to their column's
 * width (a warning says so), integer cents. Whatever the rules refuse stays for them to say.
 */
function storable(legacy: LegacyLine, columns: LegacyMapping['columns']): { line: LineInput; notes: ImportProblem[] } {
  const line: LineInput = { ...legacy.line, ventilation: legacy.line.ventilation.map((p) => ({ ...p })) };
  const notes: ImportProblem[] = [];
  const fields: { field: keyof typeof WIDTHS; column: string | null; label: string }[] = [
    { field: 'pj', column: columns.pj ?? null, label: 'Le N° de pièce' },
    { field: 'date', column: columns.date, label: 'La date' },
    { field: 'libelle', column: columns.libelle, label: 'Le libellé' },
    { field: 'cheque', column: columns.cheque ?? null, label: 'Le N° de chèque' },
    { field: 'action', column: columns.action ?? null, label: 'L’action' },
    { field: 'holder', column: columns.holder ?? null, label: 'Le titulaire de la régie' },
  ];
  for (const { field, column, label } of fields) {
    const value = line[field];
    if (typeof value !== 'string') continue;
    let clean = value.replace(CONTROL, ' ');
    if ([...clean].length > WIDTHS[field]) {
      clean = [...clean].slice(0, WIDTHS[field]).join('');
      // A date too long is no date: the rules say so.
      if (field !== 'date')
        notes.push({
          row: legacy.row,
          column,
          code: 'texte_tronque',
          severity: 'warning',
          message: `${label} dépasse ${WIDTHS[field]} caractères : il est coupé.`,
        });
    }
    (line as unknown as Record<string, unknown>)[field] = clean;
  }
  if (!Number.isSafeInteger(line.amount)) line.amount = Number.isFinite(line.amount) ? Math.round(line.amount) : 0;
  return { line, notes };
}

// ── Problems named by row and column ────────────────────────────────────────────────────

const MOVEMENT_COLUMN: Record<MovementKey, keyof LegacyMapping['columns'] | null> = {
  banque_recettes: 'banqueRecettes',
  banque_depenses: 'banqueDepenses',
  caisse_recettes: 'caisseRecettes',
  caisse_depenses: 'caisseDepenses',
  regie_recettes: 'regieRecettes',
  regie_depenses: 'regieDepenses',
};

/** The column of the sheet a rule's problem concerns (null when no column holds the field). */
function columnOf(columns: LegacyMapping['columns'], line: LineInput, p: Problem): string | null {
  switch (p.field) {
    case 'pj':
      return columns.pj ?? null;
    case 'date':
      return columns.date;
    case 'libelle':
      return columns.libelle;
    case 'cheque':
      return columns.cheque ?? null;
    case 'mode':
      return columns.mode ?? columns.cheque ?? null;
    case 'holder':
      return columns.holder ?? null;
    case 'action':
      return columns.action ?? null;
    case 'ventilation':
      return p.chapter
        ? (columns.chapters[p.chapter] ?? columns.chapterChoice ?? null)
        : (columns.chapterChoice ?? null);
    case 'amount':
    case 'kind':
    case 'account': {
      if (!isLineKind(line.kind) || !isAccount(line.account)) return null;
      for (const m of KINDS[line.kind].movements(line.account)) {
        const key = MOVEMENT_COLUMN[movementKey(m)];
        const letter = key ? columns[key] : undefined;
        if (typeof letter === 'string') return letter;
      }
      return null;
    }
    default:
      return null;
  }
}

const anyError = (problems: readonly ImportProblem[]) => problems.some((p) => p.severity === 'error');

// ── The report ───────────────────────────────────────────────────────────────────────────

interface LineState {
  legacy: LegacyLine;
  line: LineInput;
  draft: boolean;
  pointed: boolean;
}

function rejected(file: string, code: string, message: string, base: Partial<ImportFileReport> = {}): ImportFileReport {
  const { status: _s, error: _e, file: _f, ...rest } = base;
  return { file, status: 'rejected', error: { code, message }, ...rest };
}

/** The report of a file read, its lines' states given (stored, or as the reading judged them). */
function reportOf(
  file: string,
  chart: Chart,
  reading: LegacyReading,
  coop: string | null,
  year: number | null,
  newChapters: string[],
  states: readonly LineState[],
  problems: readonly ImportProblem[],
): ImportFileReport {
  const validated = states.filter((s) => !s.draft);
  const movements = movementTotals(validated.map((s) => s.line));
  // The sheet's chapter columns, and any other chapter a validated line uses (a column of codes).
  const totals = chapterTotals(
    validated.map((s) => s.line),
    chart,
  );
  const chapters: Record<string, number> = {};
  for (const code of Object.keys(reading.mapping.columns.chapters)) chapters[code] = totals.get(code) ?? 0;
  for (const [code, total] of totals) if (total !== 0) chapters[code] = total;
  // The file's own warnings (row 0: PJ numbered, other sheets…) first, then each row's.
  const ordered = [...(reading.problems ?? []), ...problems]
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.row - b.p.row || a.i - b.i);
  return {
    file,
    status: 'ok',
    sheet: reading.sheet,
    coop,
    ...(year !== null ? { exercise: { start: exerciseBounds(year).start, end: exerciseBounds(year).end } } : {}),
    openingBalances: { ...reading.openingBalances },
    entries: { validated: validated.length, drafts: states.length - validated.length },
    pointed: validated.filter((s) => s.pointed).length,
    skippedRows: reading.skippedRows.map((s) => ({ ...s })),
    problems: ordered.map(({ p }) => p),
    totals: {
      banque: { recettes: movements.banque_recettes, depenses: movements.banque_depenses },
      caisse: { recettes: movements.caisse_recettes, depenses: movements.caisse_depenses },
      chapters,
    },
    newChapters,
  };
}

/** The lines as the reading judged them: a draft when its problems hold an error. */
function readStates(reading: LegacyReading, lines: readonly LineInput[]): LineState[] {
  return reading.lines.map((legacy, i) => ({
    legacy,
    line: lines[i]!,
    draft: anyError(legacy.problems),
    pointed: legacy.pointed,
  }));
}

// ── The coop and its chart ───────────────────────────────────────────────────────────────

const digits = (s: string) => s.replace(/\D/g, '');

/**
 * The coop a number names, if the principal may import for it: the number as stored, else the
 * one coop whose number has the same digits (« 0870123 » for « 087-0123 »). A coop the principal
 * may not reach is answered as unknown.
 */
async function findCoop(db: Db, principal: Principal, number: string): Promise<CoopRow | null> {
  const wanted = number.trim();
  let coop = await db.models.Coop.findOne({ where: { number: wanted } });
  if (!coop && digits(wanted).length >= 4) {
    const all = await db.models.Coop.findAll({ attributes: ['id', 'number', 'departmentCode'] });
    const same = all.filter((c) => digits(c.number) === digits(wanted));
    if (same.length === 1) coop = await db.models.Coop.findByPk(same[0]!.id);
  }
  return coop && canAccessCoop(principal, coop) ? coop : null;
}

/** A chapter the sheet brings that a department's chart can take: 3 to 6 digits, 6… or 7…. */
const ADDABLE = /^[67]\d{2,5}$/;

function chapterOf(code: string, label: string, file: string): Chapter {
  const clean = label
    .replace(/^\s*\d+\s*[-–—:.]?\s*/, '')
    .replace(/'/g, '’')
    .replace(/[[\]#]/g, '')
    .replace(CONTROL, ' ');
  return {
    code,
    side: code.startsWith('6') ? 'charge' : 'produit',
    label: clean.trim().slice(0, 60) || `Chapitre ${code}`,
    description: `Chapitre repris de l’ancien cahier « ${file} ».`,
  };
}

const parseChart = (stored: string | null | undefined): Chart =>
  stored ? (JSON.parse(stored) as Chart) : DEFAULT_CHART;

/** Adds the chapters to the department's chart (in the transaction), audited in the coop's history. */
async function addChapters(
  db: Db,
  t: Transaction,
  principal: Principal,
  coop: CoopRow,
  chapters: readonly Chapter[],
  file: string,
): Promise<void> {
  const dep = await db.models.Department.findByPk(coop.departmentCode, { transaction: t, lock: t.LOCK.UPDATE });
  if (!dep) return;
  const chart = parseChart(dep.chart);
  const missing = chapters.filter((c) => !chart.some((x) => x.code === c.code));
  if (!missing.length) return;
  await dep.update({ chart: JSON.stringify([...chart, ...missing]) }, { transaction: t });
  await auditSideBook(db, t, principal, {
    coopId: coop.id,
    exerciseId: null,
    book: 'departement',
    recordId: dep.code,
    action: 'chapitres',
    before: null,
    after: { ajoutes: missing, fichier: file },
  });
}

// ── Storing ──────────────────────────────────────────────────────────────────────────────

interface Plan {
  file: string;
  coop: CoopRow;
  year: number;
  chart: Chart;
  /** Chapters to add to the department's chart. */
  chapters: Chapter[];
  reading: LegacyReading;
  lines: LineInput[];
  ids: string[];
  merge: boolean;
  dryRun: boolean;
}

interface Stored {
  states: LineState[];
  problems: ImportProblem[];
  added: number;
  recognised: number;
}

const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;

const openingText = (o: { banque: number; caisse: number }) =>
  `banque ${formatEuros(o.banque)}, caisse ${formatEuros(o.caisse)}`;

/** The exercise of the import, opened with the sheet's report à nouveau when it does not exist. */
async function exerciseOfImport(
  db: Db,
  t: Transaction,
  principal: Principal,
  plan: Plan,
  problems: ImportProblem[],
): Promise<ExerciseRow> {
  const { coop, year, reading, file } = plan;
  const label = exerciseLabel(year);
  const existing = await db.models.Exercise.findOne({
    where: { coopId: coop.id, year },
    transaction: t,
    lock: t.LOCK.UPDATE,
  });
  const opening = reading.openingBalances;
  if (existing) {
    if (existing.status === 'closed') {
      throw new Rejection(
        'exercice_clos',
        `L’exercice ${label} de la coopérative ${coop.number} est clôturé : rien n’est importé de ${file} (le trésorier départemental peut le rouvrir).`,
      );
    }
    const current = { banque: Number(existing.openingBanque), caisse: Number(existing.openingCaisse) };
    if (current.banque !== opening.banque || current.caisse !== opening.caisse) {
      problems.push({
        row: 0,
        column: null,
        code: 'report_a_nouveau_different',
        severity: 'warning',
        message: `Le report à nouveau de l’exercice ${label} (${openingText(current)}) diffère de celui du fichier (${openingText(opening)}) : il n’est pas changé ; corrigez-le si besoin, avec sa raison.`,
      });
    }
    return existing;
  }
  const latest = exerciseOf(new Date().toISOString().slice(0, 10)) + 1;
  if (year < 2000 || year > latest) {
    throw new Rejection(
      'exercice_invalide',
      `L’exercice ${label} ne peut pas être ouvert (au plus tard : ${exerciseLabel(latest)}) : rien n’est importé de ${file}.`,
    );
  }
  const created = await db.models.Exercise.create(
    { coopId: coop.id, year, status: 'open', openingBanque: opening.banque, openingCaisse: opening.caisse, lastSeq: 0 },
    { transaction: t },
  );
  await auditExercise(db, t, created, principal, 'open', null, `Import de l’ancien cahier « ${file} ».`);
  return created;
}

/** The reading's own errors (cells it could not read), kept with the stored line so it stays a draft. */
const READING_ERRORS: Readonly<Record<string, 'amount' | 'ventilation'>> = {
  montant_invalide: 'amount',
  mouvement_multiple: 'amount',
  mouvement_incomplet: 'amount',
  mouvement_absent: 'amount',
  ventilation_illisible: 'ventilation',
};

function unreadableOf(problems: readonly ImportProblem[]): Problem[] {
  return problems.flatMap((p) => {
    const field = p.severity === 'error' ? READING_ERRORS[p.code] : undefined;
    return field ? [unreadableValue(field, p.message)] : [];
  });
}

/** One transaction: the chart, the exercise, the lines, their pointage, the audit rows. */
async function storeLines(db: Db, t: Transaction, principal: Principal, plan: Plan): Promise<Stored> {
  const { coop, year, reading, lines, ids, file } = plan;
  // The lines' write path runs inside this transaction: its writes join it.
  const inTransaction: Db = { ...db, write: (fn) => fn(t), writeDirect: (fn) => fn(t) };
  const problems: ImportProblem[] = [];
  if (plan.chapters.length) await addChapters(db, t, principal, coop, plan.chapters, file);
  const exercise = await exerciseOfImport(db, t, principal, plan, problems);

  const live = await db.models.Line.findAll({
    attributes: ['id'],
    where: { exerciseId: exercise.id, deleted: false },
    transaction: t,
    raw: true,
  });
  const mine = new Set(ids);
  const foreign = live.filter((l) => !mine.has(l.id)).length;
  if (foreign > 0 && !plan.merge) {
    const known = live.length - foreign;
    throw new Rejection(
      'exercice_non_vide',
      `L’exercice ${exerciseLabel(year)} de la coopérative ${coop.number} contient déjà ${plural(foreign, 'ligne qui ne vient', 'lignes qui ne viennent')} pas de ce fichier ; ${file} en apporte ${lines.length} (dont ${known} déjà ${known > 1 ? 'importées' : 'importée'}) : rien n’est importé. Pour ajouter ses lignes à celles de l’exercice, importez-le en fusion (--merge, ou merge=true).`,
    );
  }

  const scope: Scope = { db: inTransaction, principal, exercise, chart: plan.chart };
  // Lines the sheet marks pointed are stored pointed (validated bank lines only: the others are said below).
  const { outcomes } = await syncLines(
    scope,
    ids.map((id, i) => ({
      id,
      line: lines[i]!,
      pointed: reading.lines[i]!.pointed,
      problems: unreadableOf(reading.lines[i]!.problems),
    })),
  );
  const rows: (LineRow | null)[] = [];
  let added = 0;
  let recognised = 0;
  outcomes.forEach((o, i) => {
    const { outcome } = o;
    if (outcome.result === 'stored') added++;
    else if (outcome.result === 'unchanged' || outcome.code === 'version_requise') recognised++;
    else throw new Error(`Ligne ${reading.lines[i]!.row} de ${file} : ${outcome.message}`);
    rows.push(outcome.row);
  });

  // Pointage: the lines this import stores were stored pointed as the sheet marks them (a line
  // already stored is kept as it is); what cannot be pointed is said for every line, so a second
  // import says the same.
  reading.lines.forEach((legacy, i) => {
    const row = rows[i];
    if (!legacy.pointed || !row || row.deleted) return;
    const column = reading.mapping.columns.pointage ?? null;
    if (row.status !== 'validated') {
      problems.push({
        row: legacy.row,
        column,
        code: 'pointage_en_attente',
        severity: 'warning',
        message: 'La ligne est pointée dans le fichier mais entre en brouillon : pointez-la une fois corrigée.',
      });
    } else if (!touchesBank(lines[i]!)) {
      problems.push({
        row: legacy.row,
        column,
        code: 'pointage_hors_banque',
        severity: 'warning',
        message: 'La ligne est marquée pointée mais ne passe pas en banque : la marque est ignorée.',
      });
    }
  });

  const states: LineState[] = reading.lines.map((legacy, i) => {
    const row = rows[i];
    const live = row && !row.deleted ? row : null;
    if (live) {
      // What the rules said in the exercise and the reading could not know (a PJ already used
      // by the exercise's lines, a chapter the chart could not take); an amount the reading
      // found unreadable is not named twice.
      const said = new Set<string>([...legacy.problems.map((p) => p.code), 'valeur_illisible']);
      const unreadable = anyError(legacy.problems);
      for (const p of JSON.parse(live.problems) as Problem[]) {
        if (said.has(p.code) || (unreadable && p.field === 'amount')) continue;
        problems.push({
          row: legacy.row,
          column: columnOf(reading.mapping.columns, lines[i]!, p),
          code: p.code,
          severity: p.severity,
          message: p.message,
        });
      }
    }
    return {
      legacy,
      line: lines[i]!,
      draft: live ? live.status === 'draft' : anyError(legacy.problems),
      pointed: live ? Boolean(live.pointed) : legacy.pointed,
    };
  });
  return { states, problems, added, recognised };
}

/** Retries a transaction that lost a race (two files opening the same exercise, a deadlock). */
async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const deadlock = /ER_LOCK_DEADLOCK|Deadlock found/.test(String((e as Error).message));
      if (attempt >= 3 || !(e instanceof UniqueConstraintError || deadlock)) throw e;
    }
  }
}

// ── The import ───────────────────────────────────────────────────────────────────────────

/** Imports one legacy workbook; the report is the documented one (`cahier import --json`, POST …/imports). */
export async function importLegacy(db: Db, principal: Principal, input: LegacyImportInput): Promise<ImportFileReport> {
  return (await importLegacyFile(db, principal, input)).report;
}

interface Read {
  coop: CoopRow | null;
  /** The coop's number as given or read in the file, found or not. */
  named: string | null;
  chart: Chart;
  reading: LegacyReading;
  /** The sheet's chapters missing from the department's chart. */
  newChapters: string[];
  /** Those the chart takes (added by the import). */
  chapters: Chapter[];
}

/** Reads the grid under the coop's chart (the coop given, or the one the file names). */
async function readGrid(
  db: Db,
  principal: Principal,
  workbook: LegacyWorkbook,
  input: LegacyImportInput,
): Promise<Read> {
  const read = (chart: Chart) => readLegacy(workbook, { chart, mapping: input.mapping, year: input.year });
  let named = input.coop?.trim() || null;
  let coop: CoopRow | null;
  let chart: Chart;
  let reading: LegacyReading;
  if (named) {
    coop = await findCoop(db, principal, named);
    chart = coop ? await chartOf(db, coop.departmentCode) : DEFAULT_CHART;
    reading = read(chart);
  } else {
    const guess = principal.role === 'tresorier' ? await chartOf(db, principal.departmentCode) : DEFAULT_CHART;
    reading = read(guess);
    named = reading.coop ?? coopFromText(basename(input.file));
    coop = named ? await findCoop(db, principal, named) : null;
    chart = coop ? await chartOf(db, coop.departmentCode) : guess;
    if (JSON.stringify(chart) !== JSON.stringify(guess)) reading = read(chart);
  }
  const newChapters = reading.newChapters.map((c) => c.code);
  const chapters = coop
    ? reading.newChapters.filter((c) => ADDABLE.test(c.code)).map((c) => chapterOf(c.code, c.label, input.file))
    : [];
  // The reading already checked the lines as if the sheet's new chapters were in the chart.
  if (chapters.length) chart = [...chart, ...chapters];
  return { coop, named, chart, reading, newChapters, chapters };
}

/** Imports one legacy workbook: its report, and how many lines were added or recognised. */
export async function importLegacyFile(
  db: Db,
  principal: Principal,
  input: LegacyImportInput,
): Promise<LegacyImportOutcome> {
  if (principal.role === 'mandataire') throw importReservedToTreasurer();
  const { file } = input;
  const none = (report: ImportFileReport): LegacyImportOutcome => ({ report, added: 0, recognised: 0 });

  let grid: Read;
  try {
    const workbook = await readLegacyFile(input.bytes, file, {});
    grid = await readGrid(db, principal, workbook, input);
  } catch (e) {
    if (e instanceof LegacyFileError || e instanceof LegacyReadError) return none(rejected(file, e.code, e.message));
    throw e;
  }
  const { coop, named, reading } = grid;
  const year = input.year ?? reading.year;

  const cleaned = reading.lines.map((l) => storable(l, reading.mapping.columns));
  const lines = cleaned.map((c) => c.line);
  const notes: ImportProblem[] = [...reading.lines.flatMap((l) => l.problems), ...cleaned.flatMap((c) => c.notes)];
  if (coop && input.coop && reading.coop && digits(reading.coop) !== digits(coop.number)) {
    notes.push({
      row: 0,
      column: null,
      code: 'coop_differente',
      severity: 'warning',
      message: `Le fichier semble être le cahier de la coopérative ${reading.coop}, et il est importé pour la coopérative ${coop.number} : vérifiez qu’il s’agit du bon fichier.`,
    });
  }
  const report = (states: LineState[], extra: ImportProblem[] = []) =>
    reportOf(file, grid.chart, reading, coop?.number ?? null, year, grid.newChapters, states, [...notes, ...extra]);
  const analysis = () => report(readStates(reading, lines));

  if (!coop) {
    const message = named
      ? `La coopérative ${named} (${input.coop ? 'indiquée' : `lue dans ${file}`}) est introuvable, ou vous n’y avez pas accès : rien n’est importé.`
      : `${file} ne dit pas de quelle coopérative il est le cahier (ni ses cellules de titre, ni son nom) : indiquez la coopérative (--coop N) ; rien n’est importé.`;
    return none(rejected(file, 'coop_inconnue', message, analysis()));
  }
  if (year === null) {
    return none(
      rejected(
        file,
        'exercice_inconnu',
        `L’exercice de ${file} ne se lit ni dans ses dates ni dans son titre : indiquez-le (--exercise ANNÉE, 2025 pour 2025-2026) ; rien n’est importé.`,
        analysis(),
      ),
    );
  }

  const plan: Plan = {
    file,
    coop,
    year,
    chart: grid.chart,
    chapters: grid.chapters,
    reading,
    lines,
    ids: legacyLineIds(coop.number, year, lines),
    merge: Boolean(input.merge),
    dryRun: Boolean(input.dryRun),
  };
  let stored: Stored;
  try {
    stored = await withRetry(() =>
      db.write(async (t) => {
        const result = await storeLines(db, t, principal, plan);
        if (plan.dryRun) throw new DryRunDone(result);
        return result;
      }),
    );
  } catch (e) {
    if (e instanceof DryRunDone) stored = e.result as Stored;
    else if (e instanceof Rejection) return none(rejected(file, e.code, e.message, analysis()));
    else if (e instanceof ServiceError && e.code === 'exercice_clos')
      return none(rejected(file, e.code, e.message, analysis()));
    else throw e;
  }
  return { report: report(stored.states, stored.problems), added: stored.added, recognised: stored.recognised };
}
