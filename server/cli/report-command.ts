/** `cahier report`: the compte rendu financier of a coop's exercise, written to a file (json, xlsx or pdf). */
import { writeFile } from 'node:fs/promises';
import { COMMAND_LINE_PRINCIPAL } from '../operations/accounts';
import { crfDocument, REPORT_FORMATS, type ReportFormat } from '../operations/reports';
import { requireString, UserError, type Command } from './command';
import { DB_OPTION, withDb } from './db-option';

export const reportCommand: Command = {
  name: 'report',
  summary: 'écrit le compte rendu financier d’un exercice (json, xlsx ou pdf)',
  usage: '--coop N --exercise ANNÉE --format json|xlsx|pdf --out FICHIER [--db URL]',
  options: {
    coop: { type: 'string', value: 'N', description: 'numéro de la coopérative' },
    exercise: { type: 'string', value: 'ANNÉE', description: 'année de début de l’exercice (2025 pour 2025-2026)' },
    format: { type: 'string', value: 'FORMAT', description: 'json, xlsx ou pdf' },
    out: { type: 'string', value: 'FICHIER', description: 'fichier à écrire' },
    db: DB_OPTION,
  },
  async run(values, _positionals, io) {
    const coop = requireString(values, 'coop');
    const year = requireString(values, 'exercise');
    const format = requireString(values, 'format');
    const out = requireString(values, 'out');
    if (!/^\d{4}$/.test(year)) throw new UserError(`--exercise attend une année sur 4 chiffres, pas « ${year} ».`, 2);
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
      throw new UserError(`--format attend json, xlsx ou pdf, pas « ${format} ».`, 2);
    }
    const doc = await withDb(values, (db) =>
      crfDocument(db, COMMAND_LINE_PRINCIPAL, coop, Number(year), format as ReportFormat),
    );
    await writeFile(out, doc.bytes);
    io.out(`Compte rendu financier écrit dans ${out} (${doc.bytes.length} octets).\n`);
    return 0;
  },
};
