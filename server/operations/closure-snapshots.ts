/**
 * The last closure check of each exercise, kept for the department's dashboard (table
 * closure_snapshots): the codes of its errors and the change marker of the data it read.
 *
 * The marker is read before the check reads the data: a change made meanwhile leaves a marker
 * that no longer matches, so the snapshot is taken as stale and checked again, never trusted
 * wrong. It is made of what every change to what the check reads moves:
 * - the exercise's sync cursor (`last_seq`: every line written, deleted, pointed or unpointed),
 *   its count of rows (tombstones included) and their last change;
 * - the exercise's status and opening balances (report à nouveau);
 * - the coop's other exercises: their sync cursors, their count and their last history row (the
 *   inventory reads the lines of earlier years that its goods come from);
 * - the coop's last side-book audit row (arrêtés de caisse, subventions, inventaire, pièces, the
 *   coop's data: the statement balance entered by hand, the pointage threshold);
 * - the coop's imported statements (their count and last id: their lines date the pointage);
 * - the department's chart.
 *
 * Only `date_trop_tot` depends on the day of the check (closureCheck reads `date` for it alone,
 * the side books' checks not at all): it is left out of the stored codes and added back when
 * read, so a snapshot never needs a daily check. `file_attente` comes from the add-in's queue
 * (GET …/closure?pending=) and is no stored state: it is never stored either.
 */
import { createHash } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { CLOSURE_PROBLEMS, exerciseBounds, type ClosureReport, type IsoDate } from '../../templates/definition';
import type { Db } from '../db/connect';

/** The parts of the marker, as the queries read them (both dialects). */
export interface MarkerParts {
  last_seq: unknown;
  status: unknown;
  opening_banque: unknown;
  opening_caisse: unknown;
  line_rows: unknown;
  last_change: unknown;
  side_max: unknown;
  statement_count: unknown;
  statement_max: unknown;
  coop_seq: unknown;
  coop_exercises: unknown;
  exercise_audit_max: unknown;
}

/** A DATE(3) column as the drivers give it (SQLite: text; MySQL: a Date) → ISO date-time, UTC. */
export function isoInstant(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const d = v instanceof Date ? v : new Date(String(v));
  return Number.isNaN(d.getTime()) ? String(v) : d.toISOString();
}

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

/** A short fingerprint of the department's chart (null: the default chart). */
export const chartMark = (chart: unknown) =>
  typeof chart === 'string' && chart ? createHash('sha256').update(chart).digest('hex').slice(0, 16) : 'defaut';

export function markerOf(p: MarkerParts, chart: string): string {
  return [
    'v1',
    num(p.last_seq),
    String(p.status),
    num(p.opening_banque),
    num(p.opening_caisse),
    num(p.line_rows),
    isoInstant(p.last_change) ?? '-',
    num(p.side_max),
    num(p.statement_count),
    num(p.statement_max),
    num(p.coop_seq),
    num(p.coop_exercises),
    num(p.exercise_audit_max),
    chart,
  ].join('|');
}

/** The marker of one exercise as it stands (GET …/closure reads it before the data). */
export async function exerciseMarker(db: Db, exerciseId: number): Promise<string | null> {
  const [row] = await db.sequelize.query<MarkerParts & { chart: unknown }>(
    `SELECT e.last_seq, e.status, e.opening_banque, e.opening_caisse,
            (SELECT COUNT(*) FROM \`lines\` l WHERE l.exercise_id = e.id) AS line_rows,
            (SELECT MAX(l.updated_at) FROM \`lines\` l WHERE l.exercise_id = e.id) AS last_change,
            (SELECT MAX(a.id) FROM side_book_audit a WHERE a.coop_id = e.coop_id) AS side_max,
            (SELECT COUNT(*) FROM statements s WHERE s.coop_id = e.coop_id) AS statement_count,
            (SELECT MAX(s.id) FROM statements s WHERE s.coop_id = e.coop_id) AS statement_max,
            (SELECT SUM(o.last_seq) FROM exercises o WHERE o.coop_id = e.coop_id) AS coop_seq,
            (SELECT COUNT(*) FROM exercises o WHERE o.coop_id = e.coop_id) AS coop_exercises,
            (SELECT MAX(x.id) FROM exercise_audit x JOIN exercises o ON o.id = x.exercise_id
              WHERE o.coop_id = e.coop_id) AS exercise_audit_max,
            d.chart
       FROM exercises e
       JOIN coops c ON c.id = e.coop_id
       LEFT JOIN departments d ON d.code = c.department_code
      WHERE e.id = $id`,
    { bind: { id: exerciseId }, type: QueryTypes.SELECT },
  );
  return row ? markerOf(row, chartMark(row.chart)) : null;
}

/** The codes of the errors of a check, in its order, each once; without the day's and the queue's. */
export function storedBlockers(report: ClosureReport): string[] {
  const day: string[] = [CLOSURE_PROBLEMS.date_trop_tot, CLOSURE_PROBLEMS.file_attente];
  const codes = report.problems.filter((p) => p.severity === 'error' && !day.includes(p.code)).map((p) => p.code);
  return [...new Set(codes)];
}

/** The stored codes as GET …/closure would list them on `today` (date_trop_tot first, before 31 August). */
export function blockersOn(stored: readonly string[], year: number, today: IsoDate): string[] {
  return today < exerciseBounds(year).end ? [CLOSURE_PROBLEMS.date_trop_tot, ...stored] : [...stored];
}

export interface Snapshot {
  exerciseId: number;
  marker: string;
  blockers: string[];
}

/** Stores (replaces) snapshots, in one write; those already stored as they are are not written again. */
export async function storeSnapshots(db: Db, snapshots: readonly Snapshot[]): Promise<void> {
  if (!snapshots.length) return;
  const ids = snapshots.map((s) => s.exerciseId);
  const stored = await db.sequelize.query<{ exercise_id: unknown; marker: string; blockers: string }>(
    `SELECT exercise_id, marker, blockers FROM closure_snapshots WHERE exercise_id IN (${ids.map(Number).join(',')})`,
    { type: QueryTypes.SELECT },
  );
  const known = new Map(stored.map((s) => [Number(s.exercise_id), `${s.marker}#${s.blockers}`]));
  const changed = snapshots.filter((s) => known.get(s.exerciseId) !== `${s.marker}#${JSON.stringify(s.blockers)}`);
  if (!changed.length) return;
  const upsert =
    db.dialect === 'mysql'
      ? 'ON DUPLICATE KEY UPDATE checked_at = VALUES(checked_at), blockers = VALUES(blockers), marker = VALUES(marker)'
      : 'ON CONFLICT(exercise_id) DO UPDATE SET checked_at = excluded.checked_at, blockers = excluded.blockers, marker = excluded.marker';
  const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
  const at = db.dialect === 'sqlite' ? `${now} +00:00` : now;
  await db.write(async (t) => {
    for (let i = 0; i < changed.length; i += 500) {
      const slice = changed.slice(i, i + 500);
      const bind: unknown[] = [];
      const tuples = slice.map((s) => {
        bind.push(s.exerciseId, at, JSON.stringify(s.blockers), s.marker);
        const n = bind.length;
        return `($${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
      });
      await db.sequelize.query(
        `INSERT INTO closure_snapshots (exercise_id, checked_at, blockers, marker) VALUES ${tuples.join(', ')} ${upsert}`,
        { bind, transaction: t },
      );
    }
  });
}
