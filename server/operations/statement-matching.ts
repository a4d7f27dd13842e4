/**
 * The proposals for a statement's open lines, as the API shows them: the shared matching
 * (templates/definition/matching.ts) run against the exercise's lines, its answers tied back to
 * the stored statement lines and to the cahier lines (PJ and version, to accept them).
 */
import {
  matchStatement,
  type HistoryLine,
  type LineInput,
  type MatchableLine,
  type StatementLine,
} from '../../templates/definition';
import type { LineRow } from '../db/models';
import type { Scope } from './changes';
import { lineInputOf } from './lines';
import { carriedOverLines } from './outstanding';

export interface ProposalStatementLine {
  /** The stored statement line (null in a dry run, for a line not stored yet). */
  id: number | null;
  date: string;
  amount: number;
  label: string;
  cheque: string | null;
}

export interface ProposalJson {
  statementLine: ProposalStatementLine;
  /** The cahier lines proposed, with the version to send when accepting. */
  lines: {
    id: string;
    pj: string;
    version: number;
    date: string;
    libelle: string;
    amount: number;
    /** One of last year's outstanding items: accepting clears it in this exercise. */
    carriedOver: boolean;
  }[];
  score: number;
  certain: boolean;
  reasons: string[];
}

export interface UnmatchedJson {
  statementLine: ProposalStatementLine;
  /** A cahier line to create for it, pre-filled (no PJ), or null when nothing can be guessed. */
  suggestion: Omit<LineInput, 'pj'> | null;
}

export interface MatchResult {
  proposals: ProposalJson[];
  unmatched: UnmatchedJson[];
}

export interface OpenStatementLine {
  id: number | null;
  line: StatementLine;
}

/** The coop's lines the matching learns chapters from: this exercise and the one before. */
async function historyOf(scope: Scope, current: readonly LineRow[]): Promise<HistoryLine[]> {
  const before = await scope.db.models.Exercise.findOne({
    where: { coopId: scope.exercise.coopId, year: scope.exercise.year - 1 },
  });
  const earlier = before
    ? await scope.db.models.Line.findAll({ where: { exerciseId: before.id, deleted: false, status: 'validated' } })
    : [];
  return [...earlier, ...current].filter((r) => r.status === 'validated').map(lineInputOf);
}

/** A stored line as matching and the état de rapprochement read it (pointed as stored, or as given). */
export function matchable(r: LineRow, pointed = Boolean(r.pointed)): MatchableLine {
  return { ...lineInputOf(r), id: r.id, status: r.status, pointed };
}

/** The live lines of the exercise. */
export async function exerciseLines(scope: Scope): Promise<LineRow[]> {
  return scope.db.models.Line.findAll({ where: { exerciseId: scope.exercise.id, deleted: false } });
}

const shown = (id: number | null, l: StatementLine): ProposalStatementLine => ({
  id,
  date: l.date,
  amount: l.amount,
  label: l.label,
  cheque: l.cheque,
});

/** Proposals for the open statement lines against the exercise's lines (pure matching inside). */
export async function propose(scope: Scope, open: readonly OpenStatementLine[]): Promise<MatchResult> {
  const rows = await exerciseLines(scope);
  const byId = new Map(rows.map((r) => [r.id, r]));
  // Last year's outstanding items not cleared yet are candidates too (a cheque cashed in September).
  const carried = (await carriedOverLines(scope)).filter((l) => !l.clearance);
  const carriedById = new Map(carried.map((l) => [l.id, l]));
  const candidates: MatchableLine[] = [
    ...rows.map((r) => matchable(r)),
    ...carried.map((l) => ({ ...l, pointed: false })),
  ];
  const result = matchStatement(
    open.map((o) => o.line),
    candidates,
    { history: await historyOf(scope, rows), chart: scope.chart },
  );
  return {
    proposals: result.proposals.map((p) => ({
      statementLine: shown(open[p.statementIndex]!.id, p.statementLine),
      lines: p.lines.map((l) => {
        const r = byId.get(l.id);
        if (r) {
          const { id, pj, version, date, libelle } = r;
          return { id, pj, version, date, libelle, amount: Number(r.amount), carriedOver: false };
        }
        const c = carriedById.get(l.id)!;
        return {
          id: c.id,
          pj: c.pj,
          version: c.version,
          date: c.date,
          libelle: c.libelle,
          amount: c.amount,
          carriedOver: true,
        };
      }),
      score: p.score,
      certain: p.certain,
      reasons: p.reasons,
    })),
    unmatched: result.unmatched.map((u) => {
      const { pj: _pj, ...line } = u.proposed;
      return {
        statementLine: shown(open[u.statementIndex]!.id, u.statementLine),
        suggestion: line,
        reason: u.suggestion?.reason ?? null,
      };
    }),
  };
}
