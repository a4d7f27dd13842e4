/**
 * `cahier closure`: what blocks the closure of a coop's exercise, and, for the department's
 * server, closing it (`--close`) or reopening it with a reason (`--reopen RAISON`). The same
 * operations as the API (POST …/closure, POST …/closure/reopen), audited under the command
 * line's name. Exit code 0 when the exercise can close (or was closed / reopened), 1 otherwise.
 */
import { exerciseLabel, formatEuros, type ClosureReport } from '../../templates/definition';
import { exerciseFor } from '../operations/access';
import { COMMAND_LINE_PRINCIPAL } from '../operations/accounts';
import type { ArchiveJson } from '../operations/archives';
import { closeExercise, closureOf, isoDay, reopenExercise } from '../operations/closure';
import type { Scope } from '../operations/changes';
import { ServiceError } from '../operations/errors';
import { requireString, UserError, type Command } from './command';
import { DB_OPTION, withDb } from './db-option';

function reportText(year: number, r: ClosureReport): string {
  const f = r.figures;
  const out = [
    r.canClose
      ? `L’exercice ${exerciseLabel(year)} peut être clôturé (contrôle du ${r.date}).`
      : `L’exercice ${exerciseLabel(year)} ne peut pas encore être clôturé (contrôle du ${r.date}) : ${f.counts.errors} point(s) bloquant(s).`,
    `Soldes : banque ${formatEuros(f.balances.banque)}, caisse ${formatEuros(f.balances.caisse)} ; résultat ${formatEuros(f.result)}.`,
  ];
  for (const p of r.problems) out.push(`  ${p.severity === 'error' ? '✗' : '!'} [${p.code}] ${p.message}`);
  return `${out.join('\n')}\n`;
}

const archivesText = (archives: readonly ArchiveJson[]) =>
  archives.map((a) => `  ${a.name} (${a.size} octets, sha256 ${a.sha256})`).join('\n');

export const closureCommand: Command = {
  name: 'closure',
  summary: 'contrôle la clôture d’un exercice, le clôture (--close) ou le rouvre (--reopen)',
  usage: '--coop N --exercise ANNÉE [--close | --reopen RAISON] [--json] [--db URL]',
  options: {
    coop: { type: 'string', value: 'N', description: 'numéro de la coopérative' },
    exercise: { type: 'string', value: 'ANNÉE', description: 'année de début de l’exercice (2025 pour 2025-2026)' },
    close: { type: 'boolean', description: 'clôture l’exercice si rien ne bloque (archives écrites)' },
    reopen: { type: 'string', value: 'RAISON', description: 'rouvre l’exercice clôturé, pour la raison donnée' },
    json: { type: 'boolean', description: 'écrit le résultat en JSON (montants en centimes)' },
    db: DB_OPTION,
  },
  async run(values, _positionals, io) {
    const coop = requireString(values, 'coop');
    const year = requireString(values, 'exercise');
    if (!/^\d{4}$/.test(year)) throw new UserError(`--exercise attend une année sur 4 chiffres, pas « ${year} ».`, 2);
    const reopen = typeof values.reopen === 'string' ? values.reopen : null;
    if (values.close && reopen !== null) throw new UserError('--close et --reopen ne vont pas ensemble.', 2);
    if (reopen !== null && !reopen.trim()) {
      throw new UserError('--reopen attend la raison de la réouverture (elle est inscrite à l’historique).', 2);
    }
    const today = isoDay(new Date());
    const print = (json: unknown, text: string) => io.out(values.json ? `${JSON.stringify(json, null, 2)}\n` : text);
    return withDb(values, async (db) => {
      const s = await exerciseFor(db, COMMAND_LINE_PRINCIPAL, coop, Number(year));
      const scope: Scope = { db, principal: COMMAND_LINE_PRINCIPAL, exercise: s.exercise, chart: s.chart };
      const label = exerciseLabel(Number(year));
      if (reopen !== null) {
        if (s.exercise.status === 'open') throw new UserError(`L’exercice ${label} de ${coop} n’est pas clôturé.`);
        const e = await reopenExercise(scope, reopen);
        print(
          { exercise: { year: e.year, status: e.status } },
          `Exercice ${label} de ${coop} rouvert : ${reopen.trim()}\n`,
        );
        return 0;
      }
      if (values.close) {
        try {
          const done = await closeExercise(scope, coop, today);
          print(
            {
              exercise: { year: done.exercise.year, status: done.exercise.status },
              closing: done.closing,
              next: {
                year: done.next.year,
                opening: { banque: Number(done.next.openingBanque), caisse: Number(done.next.openingCaisse) },
              },
              archives: done.archives.filter((a) => a.closing === done.closing),
            },
            `Exercice ${label} de ${coop} clôturé (clôture n° ${done.closing}). ` +
              `Exercice ${exerciseLabel(done.next.year)} : report à nouveau banque ${formatEuros(Number(done.next.openingBanque))}, caisse ${formatEuros(Number(done.next.openingCaisse))}.\n` +
              `Archives :\n${archivesText(done.archives.filter((a) => a.closing === done.closing))}\n`,
          );
          return 0;
        } catch (e) {
          if (!(e instanceof ServiceError) || e.code !== 'cloture_impossible') throw e;
          // The check as it stands, to say what to fix.
          const report = await closureOf(scope, today);
          if (values.json) print(report, '');
          else io.err(reportText(Number(year), report));
          return 1;
        }
      }
      if (s.exercise.status === 'closed') {
        print({ exercise: { year: Number(year), status: 'closed' } }, `L’exercice ${label} de ${coop} est clôturé.\n`);
        return 0;
      }
      const report = await closureOf(scope, today);
      print(report, reportText(Number(year), report));
      return report.canClose ? 0 : 1;
    });
  },
};
