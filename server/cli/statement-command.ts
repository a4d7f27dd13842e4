/** `cahier statement import`: a bank statement imported for a coop's exercise, from a file. */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { formatDateFr, formatEuros } from '../../templates/definition';
import { MAX_STATEMENT_BYTES } from '../formats/statements';
import { exerciseFor } from '../operations/access';
import { COMMAND_LINE_PRINCIPAL } from '../operations/accounts';
import { importStatement, type ImportResult } from '../operations/statements';
import { requireString, UserError, type Command } from './command';
import { DB_OPTION, withDb } from './db-option';

/** The documented JSON of an import, for scripts: exactly these keys, amounts in signed cents. */
export function importJson(file: string, r: ImportResult) {
  return {
    file,
    format: r.statement.format,
    period: r.statement.period,
    openingBalance: r.statement.openingBalance,
    closingBalance: r.statement.closingBalance,
    lines: r.lines,
    proposals: r.proposals.map((p) => ({
      statementLine: {
        date: p.statementLine.date,
        amount: p.statementLine.amount,
        label: p.statementLine.label,
        cheque: p.statementLine.cheque,
      },
      lines: p.lines.map((l) => ({ id: l.id, pj: l.pj })),
      score: p.score,
      certain: p.certain,
      reasons: p.reasons,
    })),
    unmatched: r.unmatched.map((u) => ({
      date: u.statementLine.date,
      amount: u.statementLine.amount,
      label: u.statementLine.label,
      suggestion: u.suggestion,
    })),
  };
}

function summary(file: string, r: ImportResult, dryRun: boolean): string {
  const p = r.statement.period;
  const certain = r.proposals.filter((x) => x.certain).length;
  const out = [
    `${dryRun ? 'Essai (rien n’est enregistré) — r' : 'R'}elevé ${file} (${r.statement.format})` +
      (p ? ` du ${formatDateFr(p.from)} au ${formatDateFr(p.to)}` : '') +
      ` : ${r.lines.read} ligne(s) lue(s), ${r.lines.new} nouvelle(s), ${r.lines.alreadyImported} déjà importée(s).`,
    `${r.proposals.length} rapprochement(s) proposé(s) dont ${certain} certain(s) ; ${r.unmatched.length} ligne(s) du relevé sans écriture correspondante.`,
  ];
  for (const x of r.proposals) {
    const pjs = x.lines.map((l) => l.pj).join(', ');
    out.push(
      `  ${x.certain ? '✓' : '?'} ${formatDateFr(x.statementLine.date)} ${formatEuros(x.statementLine.amount)} ${x.statementLine.label} → PJ ${pjs} (${x.reasons.join(', ')})`,
    );
  }
  for (const u of r.unmatched) {
    out.push(
      `  + ${formatDateFr(u.statementLine.date)} ${formatEuros(u.statementLine.amount)} ${u.statementLine.label} : à saisir`,
    );
  }
  return out.join('\n') + '\n';
}

export const statementCommand: Command = {
  name: 'statement',
  summary: 'importe un relevé bancaire (statement import FICHIER)',
  usage: 'import FICHIER --coop N --exercise ANNÉE [--dry-run] [--json] [--db URL]',
  options: {
    coop: { type: 'string', value: 'N', description: 'numéro de la coopérative' },
    exercise: { type: 'string', value: 'ANNÉE', description: 'année de début de l’exercice (2025 pour 2025-2026)' },
    'dry-run': { type: 'boolean', description: 'montre ce que l’import ferait, sans rien enregistrer' },
    json: { type: 'boolean', description: 'imprime le résultat en JSON (montants en centimes signés)' },
    db: DB_OPTION,
  },
  async run(values, positionals, io) {
    if (positionals[0] !== 'import' || positionals.length !== 2) {
      throw new UserError('Usage : cahier statement import FICHIER --coop N --exercise ANNÉE (voir --help)', 2);
    }
    const path = positionals[1]!;
    const coop = requireString(values, 'coop');
    const year = requireString(values, 'exercise');
    if (!/^\d{4}$/.test(year)) throw new UserError(`--exercise attend une année sur 4 chiffres, pas « ${year} ».`, 2);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) throw new UserError(`Fichier introuvable : ${path}`);
    if (info.size > MAX_STATEMENT_BYTES) {
      throw new UserError(
        `Le relevé ${path} dépasse ${MAX_STATEMENT_BYTES / 1024 / 1024} Mo : est-ce bien un relevé ?`,
      );
    }
    const bytes = await readFile(path);
    const dryRun = Boolean(values['dry-run']);
    const file = basename(path);
    const result = await withDb(values, async (db) => {
      const s = await exerciseFor(db, COMMAND_LINE_PRINCIPAL, coop, Number(year));
      return importStatement(
        { db, principal: COMMAND_LINE_PRINCIPAL, exercise: s.exercise, chart: s.chart },
        s.coop.id,
        bytes,
        {
          fileName: file,
          dryRun,
        },
      );
    });
    io.out(values.json ? `${JSON.stringify(importJson(file, result))}\n` : summary(file, result, dryRun));
    return 0;
  },
};
