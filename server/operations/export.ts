/**
 * The export of cahier workbooks: an exercise as the cahier workbook (the template filled by the
 * one builder), every live line in it — drafts included, marked « ✗ … » in the Statut column and
 * left out of every total —, each line with its id and version in the hidden columns so the
 * add-in can take the workbook over and sync it; and a department's batch, one workbook per coop
 * that has the exercise, built one at a time.
 */
import {
  DRAFT_MARK,
  byDateThenPj,
  exerciseLabel,
  isCounted,
  statusText,
  type Problem,
} from '../../templates/definition';
import type { WorkbookLine } from '../../templates/workbook/build';
import type { Db } from '../db/connect';
import type { Principal } from './access';
import { notFound, ServiceError } from './errors';
import { crfWorkbook, workbookInput } from './reports';

export { XLSX_TYPE } from './reports';

/** A name safe as a file name and in a header: letters, digits, - and _ only. */
export const safeName = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, '_');

/** The workbook's file name: cahier-087-0123-2025-2026.xlsx. */
export function workbookFileName(coop: string, year: number): string {
  return `cahier-${safeName(coop)}-${exerciseLabel(year)}.xlsx`;
}

export interface ExportedWorkbook {
  coop: string;
  fileName: string;
  bytes: Buffer;
  /** Live lines written, drafts included. */
  lines: number;
  drafts: number;
}

/** What the service keeps of a line beside its content: its version, pointage and problems. */
interface LineState {
  id: string;
  version: number;
  pointed: boolean | number;
  problems: string;
}

/**
 * The cahier workbook of a coop's exercise, for whoever may read the exercise (its mandataire,
 * the department's trésorier, an admin; 404 otherwise). The exercise is gathered as for the
 * compte rendu (lines, report à nouveau, last statement, side books) but for the état de
 * rapprochement, which the workbook does not carry; the lines are all the live ones, each with
 * its stored pointage, version and first problem.
 */
export async function exportWorkbook(
  db: Db,
  principal: Principal,
  coop: string,
  year: number,
): Promise<ExportedWorkbook> {
  const { exercise: s, input } = await workbookInput(db, principal, coop, year);
  const states = (await db.models.Line.findAll({
    attributes: ['id', 'version', 'pointed', 'problems'],
    where: { exerciseId: s.exercise.id, deleted: false },
    raw: true,
  })) as unknown as LineState[];
  const byId = new Map(states.map((r) => [String(r.id), r]));
  let drafts = 0;
  const lines: WorkbookLine[] = input.lines
    .map(({ status, ...line }) => {
      const state = byId.get(line.id);
      const problems = state ? (JSON.parse(state.problems) as Problem[]) : [];
      const counted = isCounted({ status });
      if (!counted) drafts++;
      const text = statusText(problems);
      return {
        ...line,
        // The workbook carries the mark the treasurer set (what the add-in syncs back), not the
        // état de rapprochement's view (the compte rendu's).
        pointed: Boolean(state?.pointed),
        id: line.id,
        version: state ? Number(state.version) : undefined,
        // A draft always reads « ✗ … » (the formulas leave those rows out).
        status: counted || text.startsWith(DRAFT_MARK) ? text : `${DRAFT_MARK} Brouillon : ligne à corriger.`,
      };
    })
    .sort(byDateThenPj);
  return {
    coop: s.coop.number,
    fileName: workbookFileName(s.coop.number, year),
    bytes: await crfWorkbook(input, lines),
    lines: lines.length,
    drafts,
  };
}

// ── A department's batch ─────────────────────────────────────────────────────────────────

export interface DepartmentBatch {
  department: string;
  year: number;
  /** The coops of the department that have the exercise, by number. */
  coops: string[];
  /** Those that do not (skipped). */
  skipped: string[];
}

const reservedToTreasurer = (code: string) =>
  new ServiceError(
    403,
    'reservee_au_tresorier',
    `Seul le trésorier du département ${code} (ou un administrateur) exporte les cahiers du département.`,
  );

/**
 * The coops of a department, with or without the exercise: for the department's trésorier and
 * the admins (403 for a mandataire or another department's trésorier; 404 for an unknown
 * department, or when no coop of it has the exercise).
 */
export async function departmentBatch(
  db: Db,
  principal: Principal,
  code: string,
  year: number,
): Promise<DepartmentBatch> {
  if (principal.role === 'mandataire') throw reservedToTreasurer(code);
  const [department, coops] = await Promise.all([
    db.models.Department.findByPk(code, { attributes: ['code'] }),
    db.models.Coop.findAll({ attributes: ['id', 'number'], where: { departmentCode: code }, raw: true }),
  ]);
  if (!department && !coops.length) throw notFound(`Le département ${code} est inconnu.`);
  if (principal.role === 'tresorier' && principal.departmentCode !== code) throw reservedToTreasurer(code);
  const exercises = coops.length
    ? await db.models.Exercise.findAll({
        attributes: ['coopId'],
        where: { coopId: coops.map((c) => c.id), year },
        raw: true,
      })
    : [];
  const having = new Set(exercises.map((e) => Number(e.coopId)));
  const numbers = coops.sort((a, b) => a.number.localeCompare(b.number, 'fr'));
  const batch = {
    department: code,
    year,
    coops: numbers.filter((c) => having.has(Number(c.id))).map((c) => c.number),
    skipped: numbers.filter((c) => !having.has(Number(c.id))).map((c) => c.number),
  };
  if (!batch.coops.length) {
    throw notFound(`Aucune coopérative du département ${code} n’a d’exercice ${exerciseLabel(year)}.`);
  }
  return batch;
}

export type BatchOutcome =
  ({ status: 'written' } & ExportedWorkbook) | { status: 'failed'; coop: string; message: string };

/**
 * The workbooks of the batch, built one at a time as they are asked for (a department's few
 * hundred coops never sit in memory together). A coop's failure is an outcome, not the end.
 */
export async function* departmentWorkbooks(
  db: Db,
  principal: Principal,
  batch: DepartmentBatch,
): AsyncGenerator<BatchOutcome> {
  for (const coop of batch.coops) {
    try {
      yield { status: 'written', ...(await exportWorkbook(db, principal, coop, batch.year)) };
    } catch (e) {
      yield { status: 'failed', coop, message: (e as Error).message };
    }
  }
}
