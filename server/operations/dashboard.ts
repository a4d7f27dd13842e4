/**
 * The department's dashboard (GET /api/departments/{code}/dashboard, `cahier dashboard`): per
 * coop of the department, the exercise's figures aggregated in SQL over the department's
 * exercises in one query (lines, drafts, last change, unpointed bank lines, last statement, last
 * arrêté de caisse, compte rendu archived, the last closure check and its change marker), never
 * a query per coop nor the lines read here. The blockers come from the closure snapshots
 * (closure-snapshots.ts); a coop whose snapshot is missing or stale is checked again now (a few
 * at a time) and its snapshot stored, so the blockers are always those GET …/closure gives.
 */
import ExcelJS from 'exceljs';
import { QueryTypes } from 'sequelize';
import {
  ACCOUNTS,
  DASHBOARD_COLUMNS,
  DASHBOARD_STATES,
  DEFAULT_CHART,
  KINDS,
  LINE_KINDS,
  byAttention,
  dashboardCells,
  exerciseBounds,
  exerciseLabel,
  touchesBank,
  type Chart,
  type DashboardCoop,
  type DashboardJson,
  type DashboardState,
  type IsoDate,
} from '../../templates/definition';
import type { Db } from '../db/connect';
import type { Principal } from './access';
import { markedClosure, reconciledStatement } from './closure';
import { enteredStatement } from './side-books/coop-admin';
import {
  blockersOn,
  chartMark,
  isoInstant,
  markerOf,
  storeSnapshots,
  storedBlockers,
  type MarkerParts,
  type Snapshot,
} from './closure-snapshots';
import { notFound, ServiceError } from './errors';
import { inParallel } from './parallel';

/** How many stale coops are checked at once (the checks read and compute; the machine is shared). */
const CHECKS_AT_ONCE = 4;

/** May the principal see the department's dashboard? Mandataire or another department: 403. */
export function assertDashboardAccess(p: Principal, code: string): void {
  if (p.role === 'admin' || (p.role === 'tresorier' && p.departmentCode === code)) return;
  throw new ServiceError(
    403,
    'reservee_au_tresorier',
    p.role === 'tresorier'
      ? `Le tableau de bord du département ${code} est réservé à son trésorier départemental (ou à un administrateur).`
      : 'Le tableau de bord du département est réservé au trésorier départemental (ou à un administrateur).',
  );
}

/** The (kind, account) pairs that move the bank, as SQL (from the definition's kinds). */
function bankLineSql(alias: string): string {
  const pairs = LINE_KINDS.flatMap((kind) =>
    ACCOUNTS.filter((account) => KINDS[kind].accounts.includes(account) && touchesBank({ kind, account })).map(
      (account) => `(${alias}.kind = '${kind}' AND ${alias}.account = '${account}')`,
    ),
  );
  return `(${pairs.join(' OR ')})`;
}

interface Row extends MarkerParts {
  coop_id: unknown;
  number: string;
  name: string;
  school: string | null;
  admin: string | null;
  exercise_id: unknown;
  live: unknown;
  drafts: unknown;
  unpointed: unknown;
  last_count: unknown;
  statement_date: unknown;
  statement_balance: unknown;
  crf: unknown;
  snapshot_blockers: string | null;
  snapshot_marker: string | null;
}

/** Every coop of the department with its exercise's aggregates, in one query. */
async function departmentRows(db: Db, code: string, year: number): Promise<Row[]> {
  const { start, end } = exerciseBounds(year);
  // The department's exercises of the year: every aggregate is grouped over these only.
  const mine = `JOIN exercises xe ON xe.id = %s AND xe.year = $year JOIN coops xc ON xc.id = xe.coop_id AND xc.department_code = $code`;
  const ofExercise = (col: string) => mine.replace('%s', col);
  const ofCoop = `JOIN coops xc ON xc.id = %s AND xc.department_code = $code JOIN exercises xe ON xe.coop_id = xc.id AND xe.year = $year`;
  const coopCol = (col: string) => ofCoop.replace('%s', col);
  const sql = `
    SELECT c.id AS coop_id, c.number, c.name, c.school, c.admin,
           e.id AS exercise_id, e.status, e.opening_banque, e.opening_caisse, e.last_seq,
           l.line_rows, l.live, l.drafts, l.unpointed, l.last_change,
           cc.last_count,
           sb.side_max,
           st.statement_count, st.statement_max,
           ce.coop_seq, ce.coop_exercises, ce.exercise_audit_max,
           ls.period_to AS statement_date, ls.closing_balance AS statement_balance,
           ar.crf,
           sn.blockers AS snapshot_blockers, sn.marker AS snapshot_marker
      FROM coops c
      LEFT JOIN exercises e ON e.coop_id = c.id AND e.year = $year
      LEFT JOIN (
        SELECT li.exercise_id,
               COUNT(*) AS line_rows,
               SUM(CASE WHEN li.deleted = 0 THEN 1 ELSE 0 END) AS live,
               SUM(CASE WHEN li.deleted = 0 AND li.status <> 'validated' THEN 1 ELSE 0 END) AS drafts,
               SUM(CASE WHEN li.deleted = 0 AND li.status = 'validated' AND li.pointed = 0 AND li.amount <> 0
                         AND ${bankLineSql('li')} THEN 1 ELSE 0 END) AS unpointed,
               MAX(li.updated_at) AS last_change
          FROM \`lines\` li ${ofExercise('li.exercise_id')}
         GROUP BY li.exercise_id
      ) l ON l.exercise_id = e.id
      LEFT JOIN (
        SELECT k.exercise_id, MAX(k.date) AS last_count
          FROM cash_counts k ${ofExercise('k.exercise_id')}
         GROUP BY k.exercise_id
      ) cc ON cc.exercise_id = e.id
      LEFT JOIN (
        SELECT a.coop_id, MAX(a.id) AS side_max
          FROM side_book_audit a ${coopCol('a.coop_id')}
         GROUP BY a.coop_id
      ) sb ON sb.coop_id = c.id
      LEFT JOIN (
        SELECT s.coop_id, COUNT(*) AS statement_count, MAX(s.id) AS statement_max
          FROM statements s ${coopCol('s.coop_id')}
         GROUP BY s.coop_id
      ) st ON st.coop_id = c.id
      LEFT JOIN (
        SELECT q.coop_id, SUM(q.last_seq) AS coop_seq, COUNT(*) AS coop_exercises, MAX(q.audit_max) AS exercise_audit_max
          FROM (
            SELECT o.coop_id, o.last_seq,
                   (SELECT MAX(x.id) FROM exercise_audit x WHERE x.exercise_id = o.id) AS audit_max
              FROM exercises o JOIN coops oc ON oc.id = o.coop_id AND oc.department_code = $code
          ) q
         GROUP BY q.coop_id
      ) ce ON ce.coop_id = c.id
      LEFT JOIN (
        SELECT r.coop_id, r.period_to, r.closing_balance
          FROM (
            SELECT s.coop_id, s.period_to, s.closing_balance,
                   ROW_NUMBER() OVER (PARTITION BY s.coop_id ORDER BY s.period_to DESC, s.id DESC) AS n
              FROM statements s ${coopCol('s.coop_id')}
             WHERE s.closing_balance IS NOT NULL AND s.period_to >= $start AND s.period_to <= $end
          ) r
         WHERE r.n = 1
      ) ls ON ls.coop_id = c.id
      LEFT JOIN (
        SELECT ax.exercise_id, COUNT(*) AS crf
          FROM archives ax ${ofExercise('ax.exercise_id')}
         WHERE ax.kind = 'crf'
         GROUP BY ax.exercise_id
      ) ar ON ar.exercise_id = e.id
      LEFT JOIN closure_snapshots sn ON sn.exercise_id = e.id
     WHERE c.department_code = $code`;
  return db.sequelize.query<Row>(sql, { bind: { code, year, start, end }, type: QueryTypes.SELECT });
}

/** The statement the closure reconciles at (reconciledStatement, as GET …/closure reads it). */
function lastStatementOf(row: Row, year: number): DashboardCoop['lastStatement'] {
  const imported =
    row.statement_date !== null && row.statement_date !== undefined
      ? { date: String(row.statement_date), balance: Number(row.statement_balance) }
      : null;
  return reconciledStatement(imported, enteredStatement({ admin: row.admin }), year);
}

export interface DashboardQuery {
  department: string;
  exercise: number;
  state?: DashboardState;
  today: IsoDate;
}

export interface DashboardOutcome {
  json: DashboardJson;
  /** How many coops were checked again (snapshot missing or stale). */
  checked: number;
}

/** The dashboard of the department (403 for anyone but its trésorier or an admin; 404 unknown department). */
export async function departmentDashboard(db: Db, p: Principal, q: DashboardQuery): Promise<DashboardOutcome> {
  assertDashboardAccess(p, q.department);
  const dep = await db.models.Department.findByPk(q.department);
  if (!dep) throw notFound(`Le département ${q.department} est introuvable.`);
  const chartText = dep.chart ?? null;
  const chart: Chart | null = typeof chartText === 'string' && chartText ? (JSON.parse(chartText) as Chart) : null;
  const mark = chartMark(chartText);
  const rows = await departmentRows(db, q.department, q.exercise);

  // Snapshots missing or stale: the open exercises checked again, a few at a time, then stored.
  const blockers = new Map<number, string[]>();
  const stale: Row[] = [];
  for (const r of rows) {
    if (r.exercise_id === null || r.exercise_id === undefined || r.status === 'closed') continue;
    if (r.snapshot_marker !== null && r.snapshot_marker === markerOf(r, mark)) {
      blockers.set(Number(r.exercise_id), JSON.parse(r.snapshot_blockers ?? '[]') as string[]);
    } else stale.push(r);
  }
  const fresh = await inParallel(stale, CHECKS_AT_ONCE, async (r): Promise<Snapshot | null> => {
    const exercise = db.models.Exercise.build(
      {
        id: Number(r.exercise_id),
        coopId: Number(r.coop_id),
        year: q.exercise,
        status: r.status as 'open' | 'closed',
        openingBanque: Number(r.opening_banque),
        openingCaisse: Number(r.opening_caisse),
        lastSeq: Number(r.last_seq),
      },
      { isNewRecord: false },
    );
    const { report, marker } = await markedClosure(
      { db, principal: p, exercise, chart: chart ?? DEFAULT_CHART },
      q.today,
    );
    const codes = storedBlockers(report);
    blockers.set(exercise.id, codes);
    return marker ? { exerciseId: exercise.id, marker, blockers: codes } : null;
  });
  await storeSnapshots(
    db,
    fresh.filter((s): s is Snapshot => s !== null),
  );

  const coops = rows.map((r): DashboardCoop => {
    const exists = r.exercise_id !== null && r.exercise_id !== undefined;
    const live = Number(r.live ?? 0);
    const closed = exists && r.status === 'closed';
    const codes = exists && !closed ? blockersOn(blockers.get(Number(r.exercise_id)) ?? [], q.exercise, q.today) : [];
    const state: DashboardState = closed
      ? 'cloture'
      : !exists || live === 0
        ? 'vide'
        : codes.length
          ? 'bloque'
          : 'pret';
    return {
      number: r.number,
      name: r.name,
      school: r.school ?? null,
      state,
      blockers: codes,
      lines: live,
      drafts: Number(r.drafts ?? 0),
      lastSync: isoInstant(r.last_change),
      unpointedBankLines: Number(r.unpointed ?? 0),
      lastStatement: exists ? lastStatementOf(r, q.exercise) : null,
      lastCashCount: r.last_count ? String(r.last_count) : null,
      crfSent: closed && Number(r.crf ?? 0) > 0,
    };
  });

  const byState = Object.fromEntries(DASHBOARD_STATES.map((s) => [s, 0])) as Record<DashboardState, number>;
  for (const c of coops) byState[c.state]++;
  const sum = (f: (c: DashboardCoop) => number) => coops.reduce((s, c) => s + f(c), 0);
  const json: DashboardJson = {
    department: q.department,
    exercise: q.exercise,
    label: exerciseLabel(q.exercise),
    date: q.today,
    totals: {
      coops: coops.length,
      byState,
      lines: sum((c) => c.lines),
      drafts: sum((c) => c.drafts),
      unpointedBankLines: sum((c) => c.unpointedBankLines),
      crfSent: sum((c) => (c.crfSent ? 1 : 0)),
    },
    coops: coops.filter((c) => !q.state || c.state === q.state).sort(byAttention),
  };
  return { json, checked: stale.length };
}

/**
 * The dashboard as a workbook: one sheet, the columns of DASHBOARD_COLUMNS with their French
 * headers, a row per coop shown. Counts are numbers; everything else is text (format @), written
 * as values: nothing a coop typed ever becomes a formula.
 */
export async function dashboardXlsx(json: DashboardJson): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Cahier Coop';
  const ws = wb.addWorksheet(`Département ${json.department}`.slice(0, 31), {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  ws.columns = DASHBOARD_COLUMNS.map((c) => ({
    header: c.header,
    key: c.key,
    width: Math.max(12, c.header.length + 2),
  }));
  ws.getRow(1).font = { bold: true };
  for (const coop of json.coops) {
    const row = ws.addRow(dashboardCells(coop));
    row.eachCell((cell) => {
      if (typeof cell.value === 'string') cell.numFmt = '@';
    });
  }
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: DASHBOARD_COLUMNS.length } };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
