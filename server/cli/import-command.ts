/**
 * `cahier import FILE|FOLDER…`: a department's old cahiers (.xlsx, .xls, .ods) imported in batch.
 * Folders are walked for workbooks; files are read and converted side by side (as many as the
 * machine has cores), each imported whole or not at all; a progress bar on a terminal (plain
 * lines otherwise), then a summary table in French, or with --json exactly
 * {"files":[ImportFileReport…]}. Exit 0 when every file is imported, 1 when one is refused, 2 for
 * a wrong usage.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { extname, join, relative, resolve } from 'node:path';
import { exerciseLabel, type ImportFileReport, type LegacyMapping } from '../../templates/definition';
import { MAX_LEGACY_BYTES } from '../formats/legacy';
import { COMMAND_LINE_PRINCIPAL } from '../operations/accounts';
import { ServiceError } from '../operations/errors';
import { importLegacyFile, type LegacyImportOutcome } from '../operations/legacy-import';
import { UserError, type Command } from './command';
import { DB_OPTION, withDb } from './db-option';
import { inParallel } from '../operations/parallel';
import { Progress } from './progress';

const WORKBOOK_EXTENSIONS = new Set(['.xlsx', '.xls', '.ods']);

/** Files named on the command line, and the workbooks found in the folders named (sorted, once each). */
export async function collectFiles(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
    for (const e of entries) {
      // Hidden files, and the lock files Excel and LibreOffice leave beside an open workbook.
      if (e.name.startsWith('.') || e.name.startsWith('~$')) continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile() && WORKBOOK_EXTENSIONS.has(extname(e.name).toLowerCase())) found.push(path);
    }
  };
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (!info) throw new UserError(`Fichier ou dossier introuvable : ${path}`, 2);
    if (info.isDirectory()) await walk(path);
    else found.push(path);
  }
  const seen = new Set<string>();
  return found.filter((f) => {
    const key = resolve(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A saved column mapping (--mapping FILE): the JSON of LegacyMapping, checked for its shape. */
export async function readMapping(path: string): Promise<LegacyMapping> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new UserError(`--mapping : ${path} n’est pas un fichier JSON lisible (${(e as Error).message}).`, 2);
  }
  const m = value as Partial<LegacyMapping> | null;
  const letter = (v: unknown) => typeof v === 'string' && /^[A-Z]{1,3}$/.test(v);
  const columns = m?.columns as Record<string, unknown> | undefined;
  const errors: string[] = [];
  if (!m || typeof m !== 'object') errors.push('un objet JSON est attendu');
  else {
    if (!Number.isInteger(m.headerRow) || (m.headerRow as number) < 1)
      errors.push('headerRow : numéro de ligne attendu');
    if (m.sheet !== undefined && typeof m.sheet !== 'string') errors.push('sheet : nom de feuille attendu');
    if (!columns || typeof columns !== 'object') errors.push('columns : objet attendu');
    else {
      for (const [name, v] of Object.entries(columns)) {
        if (name === 'chapters') continue;
        if (!letter(v)) errors.push(`columns.${name} : lettre de colonne attendue (ex. « C »)`);
      }
      if (!columns.date) errors.push('columns.date : obligatoire');
      if (!columns.libelle) errors.push('columns.libelle : obligatoire');
      const chapters = columns.chapters as Record<string, unknown> | undefined;
      if (!chapters || typeof chapters !== 'object') errors.push('columns.chapters : objet { "6180": "M" } attendu');
      else
        for (const [code, v] of Object.entries(chapters)) {
          if (!/^\d{3,6}$/.test(code) || !letter(v))
            errors.push(`columns.chapters : « ${code} » → lettre de colonne attendue`);
        }
    }
  }
  if (errors.length) throw new UserError(`--mapping : ${path} : ${errors.join(' ; ')}.`, 2);
  return m as LegacyMapping;
}

interface Done extends LegacyImportOutcome {
  path: string;
}

const lineCount = (r: ImportFileReport) => (r.entries ? r.entries.validated + r.entries.drafts : null);

const exerciseText = (r: ImportFileReport) => (r.exercise ? exerciseLabel(Number(r.exercise.start.slice(0, 4))) : '—');

function statusText(d: Done, dryRun: boolean): string {
  if (d.report.status === 'rejected') return `refusé (${d.report.error?.code ?? 'erreur'})`;
  if (dryRun) return d.recognised && !d.added ? 'déjà importé (essai)' : 'importable (essai)';
  if (!d.added && d.recognised) return 'déjà importé';
  return d.recognised ? `importé (${d.added} nouvelles, ${d.recognised} déjà là)` : 'importé';
}

/** What became of a file, for its progress line (off a terminal). */
function progressLine(d: Done, dryRun: boolean): string {
  const n = lineCount(d.report);
  const detail =
    d.report.status === 'rejected'
      ? d.report.error?.message
      : `${n} ligne${n === 1 ? '' : 's'}, ${d.report.entries?.drafts ?? 0} brouillon(s)`;
  return `${statusText(d, dryRun)} — ${detail}`;
}

/** The summary table at the end of the batch, in French. */
export function summaryTable(done: readonly Done[], dryRun: boolean): string {
  const header = ['Fichier', 'Coopérative', 'Exercice', 'Lignes', 'Brouillons', 'Statut'];
  const rows = done.map((d) => [
    d.path,
    d.report.coop ?? '—',
    exerciseText(d.report),
    String(lineCount(d.report) ?? '—'),
    String(d.report.entries?.drafts ?? '—'),
    statusText(d, dryRun),
  ]);
  const right = new Set([3, 4]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [format(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(format)];
  const refused = done.filter((d) => d.report.status === 'rejected');
  if (refused.length) {
    out.push('', 'Refusés (rien n’est enregistré pour ces fichiers) :');
    for (const d of refused) out.push(`  ${d.path} : ${d.report.error?.message ?? ''}`);
  }
  const ok = done.length - refused.length;
  out.push(
    '',
    `${done.length} fichier${done.length > 1 ? 's' : ''} : ${ok} ${dryRun ? 'importable' : 'importé'}${ok > 1 ? 's' : ''}, ${refused.length} refusé${refused.length > 1 ? 's' : ''}.` +
      (dryRun ? ' Essai : rien n’est enregistré.' : ''),
  );
  return `${out.join('\n')}\n`;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'importe d’anciens cahiers (xlsx, xls, ods) : fichiers ou dossiers entiers',
  usage: 'FICHIER|DOSSIER… [--coop N] [--exercise ANNÉE] [--dry-run] [--merge] [--mapping FICHIER] [--json] [--db URL]',
  options: {
    coop: {
      type: 'string',
      value: 'N',
      description: 'numéro de la coopérative (défaut : lu dans le fichier, titre ou nom)',
    },
    exercise: {
      type: 'string',
      value: 'ANNÉE',
      description: 'année de début de l’exercice, 2025 pour 2025-2026 (défaut : lue dans les dates ou le titre)',
    },
    'dry-run': { type: 'boolean', description: 'analyse les fichiers sans rien enregistrer' },
    merge: {
      type: 'boolean',
      description: 'ajoute les lignes à un exercice qui contient déjà d’autres lignes (sinon refusé)',
    },
    mapping: {
      type: 'string',
      value: 'FICHIER',
      description: 'correspondance des colonnes enregistrée (JSON), pour une mise en page non reconnue',
    },
    json: { type: 'boolean', description: 'imprime {"files":[…]} : le compte rendu de chaque fichier (centimes)' },
    db: DB_OPTION,
  },
  async run(values, positionals, io) {
    if (!positionals.length) {
      throw new UserError('Usage : cahier import FICHIER|DOSSIER… [--coop N] [--exercise ANNÉE] (voir --help)', 2);
    }
    const year = typeof values.exercise === 'string' ? values.exercise : undefined;
    if (year !== undefined && !/^\d{4}$/.test(year)) {
      throw new UserError(`--exercise attend une année sur 4 chiffres, pas « ${year} ».`, 2);
    }
    const coop = typeof values.coop === 'string' ? values.coop.trim() : undefined;
    if (coop === '') throw new UserError('--coop attend un numéro de coopérative.', 2);
    const mapping = typeof values.mapping === 'string' ? await readMapping(values.mapping) : undefined;
    const files = await collectFiles(positionals);
    if (!files.length) {
      throw new UserError(`Aucun classeur (.xlsx, .xls, .ods) dans : ${positionals.join(', ')}`, 2);
    }
    const dryRun = Boolean(values['dry-run']);
    const shown = (path: string) => {
      const rel = relative(process.cwd(), path);
      return rel && !rel.startsWith('..') ? rel : path;
    };

    const done = await withDb(values, async (db) => {
      const progress = new Progress(files.length, io, Boolean(process.stderr.isTTY));
      return inParallel(files, availableParallelism(), async (path): Promise<Done> => {
        const file = shown(path);
        const refuse = (code: string, message: string): Done => ({
          path: file,
          report: { file, status: 'rejected', error: { code, message } },
          added: 0,
          recognised: 0,
        });
        let d: Done;
        try {
          const size = (await stat(path)).size;
          if (size > MAX_LEGACY_BYTES) {
            d = refuse(
              'fichier_trop_gros',
              `${file} dépasse ${Math.round(MAX_LEGACY_BYTES / 1024 / 1024)} Mo : est-ce bien un cahier ?`,
            );
          } else {
            const outcome = await importLegacyFile(db, COMMAND_LINE_PRINCIPAL, {
              file,
              bytes: await readFile(path),
              ...(coop ? { coop } : {}),
              ...(year ? { year: Number(year) } : {}),
              ...(mapping ? { mapping } : {}),
              dryRun,
              merge: Boolean(values.merge),
            });
            d = { path: file, ...outcome };
          }
        } catch (e) {
          // One file's failure never stops the batch: it is reported, the others go on.
          d =
            e instanceof ServiceError
              ? refuse(e.code, e.message)
              : refuse(
                  'erreur_interne',
                  `${file} : erreur inattendue (${(e as Error).message}) ; rien n’est enregistré.`,
                );
        }
        progress.tick(d.path, () => progressLine(d, dryRun));
        return d;
      });
    });

    if (values.json) io.out(`${JSON.stringify({ files: done.map((d) => d.report) })}\n`);
    else io.out(summaryTable(done, dryRun));
    return done.some((d) => d.report.status === 'rejected') ? 1 : 0;
  },
};
