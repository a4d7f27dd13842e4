/**
 * Bank statements of a coop: import (read, recognise the lines already imported, store the new
 * ones, all or nothing), the matching proposals against the exercise's lines, accepting them
 * (pointing the lines with the statement line that cleared them), and the état de rapprochement.
 */
import { createHash } from 'node:crypto';
import { Op, type Transaction } from 'sequelize';
import {
  bankAmount,
  exerciseBounds,
  formatDateFr,
  formatEuros,
  reconciliation,
  statementLineKeys,
  type Statement,
} from '../../templates/definition';
import { readStatement, StatementFormatError, type CsvMapping } from '../formats/statements';
import type { StatementLineRow, StatementRow } from '../db/models';
import { insertRows, lockExercise, type Scope } from './changes';
import { ServiceError } from './errors';
import { lineInputOf, lineJson, pointFromStatement, type LineJson } from './lines';
import { carriedOverLines } from './outstanding';
import { exerciseLines, matchable, propose, type MatchResult } from './statement-matching';

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export interface StatementSummary {
  id: number | null;
  fileName: string | null;
  format: Statement['format'];
  account: string | null;
  period: Statement['period'];
  openingBalance: number | null;
  closingBalance: number | null;
  importedAt: string | null;
  importedBy: string | null;
}

export interface ImportResult extends MatchResult {
  statement: StatementSummary;
  lines: { read: number; new: number; alreadyImported: number };
}

/** A file that cannot be read: 422, the reader's French sentence naming the file and the line. */
function unreadable(e: StatementFormatError): ServiceError {
  return new ServiceError(422, 'releve_illisible', e.message, {
    reason: e.code,
    ...(e.line ? { line: e.line } : {}),
    ...(e.headerCells ? { headerCells: e.headerCells, headerLine: e.headerLine } : {}),
  });
}

async function storedMapping(scope: Scope, coopId: number): Promise<CsvMapping | undefined> {
  const row = await scope.db.models.CsvMapping.findByPk(coopId);
  return row ? (JSON.parse(row.mapping) as CsvMapping) : undefined;
}

/** The stored statement lines (of the coop) among these keys. */
async function knownLines(
  scope: Scope,
  coopId: number,
  keys: string[],
  transaction?: Transaction,
): Promise<Map<string, StatementLineRow>> {
  const found = new Map<string, StatementLineRow>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await scope.db.models.StatementLine.findAll({
      where: { coopId, lineKey: keys.slice(i, i + 500) },
      transaction,
    });
    for (const r of rows) found.set(r.lineKey, r);
  }
  return found;
}

export function statementSummary(s: StatementRow): StatementSummary {
  return {
    id: s.id,
    fileName: s.fileName,
    format: s.format as Statement['format'],
    account: s.account,
    period: s.periodFrom && s.periodTo ? { from: s.periodFrom, to: s.periodTo } : null,
    openingBalance: s.openingBalance === null ? null : Number(s.openingBalance),
    closingBalance: s.closingBalance === null ? null : Number(s.closingBalance),
    importedAt: new Date(s.importedAt).toISOString(),
    importedBy: s.importedBy,
  };
}

/**
 * Imports a statement file for the exercise's coop. The lines already imported (from an
 * overlapping statement) are recognised, never stored twice; the rest is stored in one
 * transaction. With `dryRun` nothing is stored and the answer is the same.
 */
export async function importStatement(
  scope: Scope,
  coopId: number,
  bytes: Buffer,
  {
    fileName = null,
    dryRun = false,
    mapping,
  }: { fileName?: string | null; dryRun?: boolean; mapping?: CsvMapping } = {},
): Promise<ImportResult> {
  let statement: Statement;
  try {
    statement = readStatement(bytes, {
      csvMapping: mapping ?? (await storedMapping(scope, coopId)),
      fileName: fileName ?? undefined,
    });
  } catch (e) {
    if (e instanceof StatementFormatError) throw unreadable(e);
    throw e;
  }
  return storeStatement(scope, coopId, statement, {
    fileName,
    fileHash: createHash('sha256').update(bytes).digest('hex'),
    dryRun,
    mapping,
  });
}

/**
 * Stores a statement already read (a file's, or one made by the demo): the lines already
 * imported are recognised, the others stored in one transaction; then the proposals.
 */
export async function storeStatement(
  scope: Scope,
  coopId: number,
  statement: Statement,
  {
    fileName = null,
    fileHash,
    dryRun = false,
    mapping,
  }: { fileName?: string | null; fileHash: string; dryRun?: boolean; mapping?: CsvMapping },
): Promise<ImportResult> {
  const keys = statementLineKeys(statement.lines).map(hashKey);
  const { db } = scope;
  const stored = await db.write(async (t) => {
    const known = await knownLines(scope, coopId, keys, t);
    const fresh = statement.lines.flatMap((l, i) =>
      known.has(keys[i]!) ? [] : [{ line: l, key: keys[i]!, position: i + 1 }],
    );
    if (dryRun) return { row: null, known, fresh: fresh.length };
    if (!fresh.length && statement.lines.length) {
      // Everything was imported before: the answer is the statement that brought the lines.
      const holder = known.get(keys[0]!)!.statementId;
      return { row: await db.models.Statement.findByPk(holder, { transaction: t }), known, fresh: 0 };
    }
    const row = await db.models.Statement.create(
      {
        coopId,
        exerciseId: scope.exercise.id,
        format: statement.format,
        fileName,
        fileHash,
        account: statement.account,
        periodFrom: statement.period?.from ?? null,
        periodTo: statement.period?.to ?? null,
        openingBalance: statement.openingBalance,
        closingBalance: statement.closingBalance,
        linesRead: statement.lines.length,
        linesNew: fresh.length,
        importedBy: scope.principal.login,
        importedAt: new Date(),
      },
      { transaction: t },
    );
    await insertRows(
      db,
      t,
      db.models.StatementLine,
      fresh.map((f) => ({
        statementId: row.id,
        coopId,
        lineKey: f.key,
        date: f.line.date,
        amount: f.line.amount,
        label: f.line.label.slice(0, 500),
        cheque: f.line.cheque?.slice(0, 40) ?? null,
        bankRef: f.line.bankRef?.slice(0, 100) ?? null,
        position: f.position,
      })),
    );
    if (mapping && statement.format === 'csv') {
      await db.models.CsvMapping.upsert(
        { coopId, mapping: JSON.stringify(mapping), updatedAt: new Date() },
        { transaction: t },
      );
    }
    return { row, known: await knownLines(scope, coopId, keys, t), fresh: fresh.length };
  });
  // Statement lines already cleared by a cahier line are not proposed again.
  const ids = keys.map((k) => stored.known.get(k)?.id ?? null);
  const cleared = await clearedStatementLines(
    scope,
    ids.filter((id): id is number => id !== null),
  );
  const open = statement.lines.flatMap((line, i) =>
    ids[i] !== null && cleared.has(ids[i]!) ? [] : [{ line, id: ids[i] ?? null }],
  );
  const matching = await propose(scope, open);
  return {
    statement: stored.row
      ? statementSummary(stored.row)
      : {
          id: null,
          fileName,
          format: statement.format,
          account: statement.account,
          period: statement.period,
          openingBalance: statement.openingBalance,
          closingBalance: statement.closingBalance,
          importedAt: null,
          importedBy: null,
        },
    lines: { read: statement.lines.length, new: stored.fresh, alreadyImported: statement.lines.length - stored.fresh },
    ...matching,
  };
}

async function clearedStatementLines(scope: Scope, ids: number[]): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const rows = await scope.db.models.Line.findAll({
    attributes: ['statementLineId'],
    where: { statementLineId: ids, deleted: false, pointed: true },
    raw: true,
  });
  const carried = await scope.db.models.OutstandingClearance.findAll({
    attributes: ['statementLineId'],
    where: { statementLineId: ids },
    raw: true,
  });
  return new Set([...rows, ...carried].map((r) => Number(r.statementLineId)));
}

/** The coop's statements, newest first. */
export async function listStatements(
  scope: Scope,
  coopId: number,
): Promise<(StatementSummary & { lines: { read: number; new: number } })[]> {
  const rows = await scope.db.models.Statement.findAll({ where: { coopId }, order: [['id', 'DESC']] });
  return rows.map((s) => ({ ...statementSummary(s), lines: { read: s.linesRead, new: s.linesNew } }));
}

async function statementOf(scope: Scope, coopId: number, id: number): Promise<StatementRow> {
  const row = await scope.db.models.Statement.findOne({ where: { id, coopId } });
  if (!row) throw new ServiceError(404, 'introuvable', `Le relevé ${id} n’existe pas pour cette coopérative.`);
  return row;
}

export interface StatementLineJson {
  id: number;
  date: string;
  amount: number;
  label: string;
  cheque: string | null;
  bankRef: string | null;
  /** The cahier lines it cleared (id and PJ; last year's outstanding items too), empty while it is not pointed. */
  cleared: { id: string; pj: string }[];
}

/** One statement with the lines it brought and what each cleared; the proposals for the others. */
export async function getStatement(scope: Scope, coopId: number, id: number) {
  const s = await statementOf(scope, coopId, id);
  const rows = await scope.db.models.StatementLine.findAll({
    where: { statementId: s.id },
    order: [['position', 'ASC']],
  });
  const pointed = rows.length
    ? await scope.db.models.Line.findAll({
        attributes: ['id', 'pj', 'statementLineId'],
        where: { statementLineId: rows.map((r) => r.id), deleted: false, pointed: true },
        raw: true,
      })
    : [];
  // Last year's outstanding items cleared by these statement lines.
  const clearances = rows.length
    ? await scope.db.models.OutstandingClearance.findAll({
        attributes: ['lineId', 'statementLineId'],
        where: { statementLineId: rows.map((r) => r.id) },
        raw: true,
      })
    : [];
  const carriedRows = clearances.length
    ? await scope.db.models.Line.findAll({
        attributes: ['id', 'pj'],
        where: { id: clearances.map((c) => c.lineId) },
        raw: true,
      })
    : [];
  const pjOf = new Map(carriedRows.map((l) => [l.id, l.pj]));
  const clearing = [
    ...pointed.map((p) => ({ id: p.id, pj: p.pj, statementLineId: Number(p.statementLineId) })),
    ...clearances.map((c) => ({
      id: c.lineId,
      pj: pjOf.get(c.lineId) ?? '',
      statementLineId: Number(c.statementLineId),
    })),
  ];
  const lines: StatementLineJson[] = rows.map((r) => ({
    id: r.id,
    date: r.date,
    amount: Number(r.amount),
    label: r.label,
    cheque: r.cheque,
    bankRef: r.bankRef,
    cleared: clearing.filter((p) => p.statementLineId === r.id).map((p) => ({ id: p.id, pj: p.pj })),
  }));
  const open = lines
    .filter((l) => l.cleared.length === 0)
    .map((l) => ({
      id: l.id,
      line: { date: l.date, amount: l.amount, label: l.label, cheque: l.cheque, bankRef: l.bankRef },
    }));
  return { statement: statementSummary(s), lines, ...(await propose(scope, open)) };
}

export interface Acceptance {
  statementLine: number;
  lines: { id: string; version: number }[];
}

/**
 * Accepts proposals: each statement line clears the cahier lines named (with the version the
 * client read), whose bank amounts must add up to it. All in one transaction.
 */
export async function acceptProposals(
  scope: Scope,
  coopId: number,
  statementId: number,
  acceptances: readonly Acceptance[] | 'certain',
): Promise<{ pointed: LineJson[]; carriedOver: { id: string; pj: string; statementLine: number }[] }> {
  const s = await statementOf(scope, coopId, statementId);
  let chosen: readonly Acceptance[];
  if (acceptances === 'certain') {
    const { proposals } = await getStatement(scope, coopId, s.id);
    chosen = proposals
      .filter((p) => p.certain && p.statementLine.id !== null)
      .map((p) => ({
        statementLine: p.statementLine.id!,
        lines: p.lines.map((l) => ({ id: l.id, version: l.version })),
      }));
  } else chosen = acceptances;
  if (!chosen.length) return { pointed: [], carriedOver: [] };
  const wanted = [...new Set(chosen.map((a) => a.statementLine))];
  // A line of an earlier statement that this one overlapped may be cleared from it too.
  const sl = await scope.db.models.StatementLine.findAll({ where: { id: wanted, coopId } });
  const byId = new Map(sl.map((r) => [r.id, r]));
  const cahier = await scope.db.models.Line.findAll({
    where: { id: chosen.flatMap((a) => a.lines.map((l) => l.id)), exerciseId: scope.exercise.id },
  });
  const lineById = new Map(cahier.map((l) => [l.id, l]));
  // Last year's outstanding items not cleared yet: a statement line of this year clears them.
  const carried = new Map((await carriedOverLines(scope)).filter((l) => !l.clearance).map((l) => [l.id, l] as const));
  chosen.forEach((a, i) => {
    const st = byId.get(a.statementLine);
    if (!st) {
      throw new ServiceError(
        422,
        'donnees_invalides',
        `accept[${i}] : la ligne de relevé ${a.statementLine} n’existe pas pour cette coopérative.`,
        {
          errors: [
            {
              field: `accept[${i}].statementLine`,
              message: `ligne de relevé ${a.statementLine} inconnue`,
            },
          ],
        },
      );
    }
    const sum = a.lines.reduce((acc, l) => {
      const row = lineById.get(l.id);
      const old = row ? undefined : carried.get(l.id);
      return acc + (row ? bankAmount(lineInputOf(row)) : old ? bankAmount(old) : 0);
    }, 0);
    if (sum !== Number(st.amount)) {
      throw new ServiceError(
        422,
        'montants_differents',
        `La ligne de relevé du ${formatDateFr(st.date)} (${formatEuros(Number(st.amount))}) ne correspond pas aux lignes choisies (${formatEuros(sum)}).`,
        {
          errors: [
            { field: `accept[${i}].lines`, message: 'la somme des lignes choisies diffère du montant du relevé' },
          ],
        },
      );
    }
  });
  const entries = chosen.flatMap((a) =>
    a.lines.map((l) => ({ id: l.id, version: l.version, statementLineId: a.statementLine })),
  );
  const current = entries.filter((e) => !carried.has(e.id) || lineById.has(e.id));
  const old = entries.filter((e) => carried.has(e.id) && !lineById.has(e.id));
  old.forEach((e) => {
    const line = carried.get(e.id)!;
    if (line.version !== e.version) {
      throw new ServiceError(412, 'version_perimee', `La ligne ${line.pj} de l’exercice précédent a changé.`);
    }
  });
  // Last year's items cleared in the same transaction as this year's lines: all or nothing.
  const { db } = scope;
  const clearOld = async (t: Transaction) => {
    for (const e of old) {
      if (await db.models.OutstandingClearance.findByPk(e.id, { transaction: t })) {
        throw new ServiceError(
          409,
          'ligne_pointee',
          `La ligne ${carried.get(e.id)!.pj} de l’exercice précédent est déjà pointée.`,
        );
      }
      await db.models.OutstandingClearance.create(
        {
          lineId: e.id,
          exerciseId: scope.exercise.id,
          clearedOn: byId.get(e.statementLineId)!.date,
          clearedBy: scope.principal.login,
          statementLineId: e.statementLineId,
          at: new Date(),
        },
        { transaction: t },
      );
    }
  };
  const rows = current.length
    ? await pointFromStatement(scope, current, old.length ? clearOld : undefined)
    : await db.write(async (t) => {
        await lockExercise(db, t, scope.exercise.id);
        await clearOld(t);
        return [];
      });
  return {
    pointed: rows.map((r) => lineJson(r) as LineJson),
    carriedOver: old.map((e) => ({ id: e.id, pj: carried.get(e.id)!.pj, statementLine: e.statementLineId })),
  };
}

/**
 * The état de rapprochement at a date (default: the end of the exercise): the balance of the
 * latest statement ending by then, the lines not yet cleared at that date (a line pointed on a
 * statement line dated after it was still outstanding), the cahier's bank balance, the gap.
 */
/** The statement a reconciliation at `at` is made with: the latest ending by then, with a closing balance. */
export function statementAt(scope: Scope, at: string) {
  return scope.db.models.Statement.findOne({
    where: { coopId: scope.exercise.coopId, closingBalance: { [Op.ne]: null }, periodTo: { [Op.lte]: at } },
    order: [
      ['periodTo', 'DESC'],
      ['id', 'DESC'],
    ],
  });
}

export async function reconciliationAt(scope: Scope, date: string | null) {
  const at = date ?? exerciseBounds(scope.exercise.year).end;
  const statement = await statementAt(scope, at);
  const rows = await exerciseLines(scope);
  const clearing = [...new Set(rows.flatMap((r) => (r.pointed && r.statementLineId ? [r.statementLineId] : [])))];
  const clearedOn = new Map(
    (clearing.length
      ? await scope.db.models.StatementLine.findAll({ attributes: ['id', 'date'], where: { id: clearing }, raw: true })
      : []
    ).map((s) => [Number(s.id), s.date]),
  );
  const lines = rows.map((r) => {
    const clearedDate = r.statementLineId ? clearedOn.get(Number(r.statementLineId)) : undefined;
    return matchable(r, Boolean(r.pointed) && (clearedDate === undefined || clearedDate <= at));
  });
  const balance = statement ? Number(statement.closingBalance) : 0;
  // Last year's items still outstanding at the date (cleared later, they were outstanding then).
  const carriedOver = (await carriedOverLines(scope))
    .filter((l) => !l.clearance || l.clearance.on > at)
    .map((l) => ({ ...l, pointed: false }));
  const r = reconciliation({
    date: at,
    statementBalance: balance,
    lines,
    opening: { banque: Number(scope.exercise.openingBanque) },
    carriedOver,
  });
  return {
    ...r,
    statement: statement ? { ...statementSummary(statement), date: statement.periodTo } : null,
    // Without a statement there is nothing to compare with.
    ...(statement ? {} : { statementBalance: null, gap: null }),
  };
}
