/**
 * `cahier export`: a coop's exercise as its cahier workbook (--coop), or the workbooks of every
 * coop of a department that has the exercise (--department), one file per coop written as it is
 * built, with a progress bar on a terminal (plain lines otherwise) and a French summary. Exit 0
 * when every workbook is written, 1 when one failed (or nothing could be exported), 2 for a
 * wrong usage.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exerciseLabel } from '../../templates/definition';
import { COMMAND_LINE_PRINCIPAL } from '../operations/accounts';
import {
  departmentBatch,
  departmentWorkbooks,
  exportWorkbook,
  type BatchOutcome,
  type ExportedWorkbook,
} from '../operations/export';
import { requireString, UserError, type Command } from './command';
import { DB_OPTION, withDb } from './db-option';
import { Progress } from './progress';

// French: 0 and 1 take the singular.
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n > 1 ? many : one}`;

const linesText = (w: ExportedWorkbook) =>
  `${plural(w.lines, 'ligne')}${w.drafts ? `, dont ${plural(w.drafts, 'brouillon')}` : ''}`;

export const exportCommand: Command = {
  name: 'export',
  summary: 'écrit le cahier d’un exercice en classeur Excel, pour une coopérative ou tout un département',
  usage: '(--coop N --out FICHIER | --department CODE --out DOSSIER) --exercise ANNÉE [--db URL]',
  options: {
    coop: { type: 'string', value: 'N', description: 'numéro de la coopérative' },
    department: {
      type: 'string',
      value: 'CODE',
      description: 'code du département : un classeur par coopérative qui a l’exercice',
    },
    exercise: { type: 'string', value: 'ANNÉE', description: 'année de début de l’exercice (2025 pour 2025-2026)' },
    out: {
      type: 'string',
      value: 'FICHIER|DOSSIER',
      description:
        'le classeur à écrire (--coop), ou le dossier où écrire cahier-<coop>-<exercice>.xlsx (--department)',
    },
    db: DB_OPTION,
  },
  async run(values, _positionals, io) {
    const coop = typeof values.coop === 'string' ? values.coop.trim() : undefined;
    const department = typeof values.department === 'string' ? values.department.trim() : undefined;
    if (coop === '' || department === '' || (coop === undefined) === (department === undefined)) {
      throw new UserError('Indiquez soit --coop N, soit --department CODE (voir cahier export --help).', 2);
    }
    const year = requireString(values, 'exercise');
    if (!/^\d{4}$/.test(year)) throw new UserError(`--exercise attend une année sur 4 chiffres, pas « ${year} ».`, 2);
    const out = requireString(values, 'out');
    const label = exerciseLabel(Number(year));

    if (coop !== undefined) {
      const w = await withDb(values, (db) => exportWorkbook(db, COMMAND_LINE_PRINCIPAL, coop, Number(year)));
      await writeFile(out, w.bytes);
      io.out(
        `Cahier de la coopérative ${w.coop}, exercice ${label}, écrit dans ${out} (${linesText(w)} ; ${w.bytes.length} octets).\n`,
      );
      return 0;
    }

    await mkdir(out, { recursive: true });
    const { batch, outcomes } = await withDb(values, async (db) => {
      const b = await departmentBatch(db, COMMAND_LINE_PRINCIPAL, department!, Number(year));
      const progress = new Progress(b.coops.length, io, Boolean(process.stderr.isTTY));
      const done: BatchOutcome[] = [];
      for await (const o of departmentWorkbooks(db, COMMAND_LINE_PRINCIPAL, b)) {
        let outcome = o;
        if (o.status === 'written') {
          try {
            await writeFile(join(out, o.fileName), o.bytes);
            // The bytes are on disk: the summary keeps only what it prints.
            outcome = { ...o, bytes: Buffer.alloc(0) };
          } catch (e) {
            outcome = { status: 'failed', coop: o.coop, message: `écriture impossible : ${(e as Error).message}` };
          }
        }
        progress.tick(outcome.coop, () =>
          outcome.status === 'written' ? `${outcome.fileName} (${linesText(outcome)})` : `échec — ${outcome.message}`,
        );
        done.push(outcome);
      }
      return { batch: b, outcomes: done };
    });

    const written = outcomes.filter((o): o is Extract<BatchOutcome, { status: 'written' }> => o.status === 'written');
    const failed = outcomes.filter((o): o is Extract<BatchOutcome, { status: 'failed' }> => o.status === 'failed');
    const text = [
      `Département ${batch.department}, exercice ${label} : ${plural(written.length, 'cahier écrit', 'cahiers écrits')} dans ${out}, ` +
        `${plural(batch.skipped.length, 'coopérative ignorée', 'coopératives ignorées')} (sans cet exercice), ${plural(failed.length, 'échec')}.`,
    ];
    if (written.length) {
      text.push('', 'Écrits :');
      for (const w of written) text.push(`  ${w.fileName}  ${w.coop}  ${linesText(w)}`);
    }
    if (batch.skipped.length) text.push('', `Sans exercice ${label} (ignorées) : ${batch.skipped.join(', ')}`);
    if (failed.length) {
      text.push('', 'Échecs (aucun fichier écrit pour ces coopératives) :');
      for (const f of failed) text.push(`  ${f.coop} : ${f.message}`);
    }
    io.out(`${text.join('\n')}\n`);
    return failed.length ? 1 : 0;
  },
};
