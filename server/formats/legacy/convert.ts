/**
 * .xls and .ods converted to .xlsx by LibreOffice headless, the way server/libreoffice.ts runs it
 * (same binary lookup, CAHIER_SOFFICE), with what received files need beside: a time limit that
 * kills the whole process group, one profile and one working folder per conversion (conversions
 * run side by side), both removed afterwards.
 *
 * Formulas: the profile asks LibreOffice never to recalculate on load. It keeps its word for
 * OOXML, but LibreOffice 7.4 recomputes the formulas of an .xls or an .ods it opens whatever the
 * setting (measured: `=A1+B1` cached as 99 comes back 3 from both). So the totals of a converted
 * file are LibreOffice's figures, not the ones saved; an .xlsx keeps its saved results.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LegacyFileError, formatCount, protectedFile } from './errors';

/** Recalculation on load: never (1), for OOXML and ODF alike (see above for .xls and .ods). */
const NO_RECALC_PROFILE = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>1</value></prop></item>
</oor:items>
`;

/** The kinds of workbook converted: .xls, .ods, and an .xlsx ExcelJS cannot parse (rewritten plainly). */
export type ConvertedKind = 'xls' | 'ods' | 'xlsx';

const FORMAT_NAMES: Record<ConvertedKind, string> = {
  xls: '.xls (Excel 97-2003)',
  ods: '.ods (OpenDocument)',
  xlsx: '.xlsx',
};

export interface ConvertOptions {
  /** The soffice command; null when LibreOffice is known to be absent. */
  soffice: string | null;
  timeoutMs: number;
  /** For a conversion that fails: the file carries a password (.xls FILEPASS record). */
  encrypted?: boolean;
}

/** 120000 → « 120 secondes », 1 → « 1 seconde ». */
function seconds(ms: number): string {
  const n = Math.max(1, Math.ceil(ms / 1000));
  return `${formatCount(n)} seconde${n > 1 ? 's' : ''}`;
}

function missing(file: string, kind: ConvertedKind): LegacyFileError {
  return new LegacyFileError(
    'libreoffice_absent',
    file,
    `le classeur est au format ${FORMAT_NAMES[kind]} : pour le lire, LibreOffice doit être installé sur le serveur (apt-get install libreoffice-calc-nogui). Vous pouvez aussi l’ouvrir dans votre tableur et l’enregistrer au format .xlsx, puis importer celui-ci.`,
  );
}

/** Runs soffice; resolves with how it ended. Never rejects. */
function run(
  command: string,
  args: string[],
  timeoutMs: number,
): Promise<
  | { kind: 'done'; code: number | null; output: string }
  | { kind: 'timeout' }
  | { kind: 'absent' }
  | { kind: 'failed'; message: string }
> {
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    // soffice starts oosplash and soffice.bin: the whole process group is stopped, not the script.
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    const collect = (chunk: Buffer) => {
      if (output.length < 8000) output += chunk.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code === 'ENOENT' ? { kind: 'absent' } : { kind: 'failed', message: error.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(timedOut ? { kind: 'timeout' } : { kind: 'done', code, output });
    });
  });
}

/** What LibreOffice writes: the extension of the file it makes and its export filter. */
export interface ConversionTarget {
  extension: string;
  filter: string;
}

export const XLSX_TARGET: ConversionTarget = { extension: 'xlsx', filter: 'Calc MS Excel 2007 XML' };

/**
 * Converts a spreadsheet with LibreOffice (no recalculation, a time limit, a profile of its own),
 * giving the converted file's bytes, or a LegacyFileError naming `file`.
 */
export async function convertSpreadsheet(
  bytes: Buffer,
  kind: ConvertedKind,
  target: ConversionTarget,
  file: string,
  options: ConvertOptions,
): Promise<Buffer> {
  if (options.soffice === null) throw missing(file, kind);
  const work = await mkdtemp(join(tmpdir(), 'cahier-legacy-'));
  try {
    const profile = join(work, 'profile');
    await mkdir(join(profile, 'user'), { recursive: true });
    await writeFile(join(profile, 'user', 'registrymodifications.xcu'), NO_RECALC_PROFILE);
    const source = join(work, `classeur.${kind}`);
    await writeFile(source, bytes);
    const outDir = join(work, 'out');
    await mkdir(outDir);
    const ended = await run(
      options.soffice,
      [
        `-env:UserInstallation=${pathToFileURL(profile).href}`,
        '--headless',
        '--norestore',
        '--nolockcheck',
        '--nologo',
        '--convert-to',
        `${target.extension}:${target.filter}`,
        '--outdir',
        outDir,
        source,
      ],
      options.timeoutMs,
    );
    if (ended.kind === 'absent') throw missing(file, kind);
    if (ended.kind === 'timeout') {
      throw new LegacyFileError(
        'delai_depasse',
        file,
        `sa conversion par LibreOffice a dépassé ${seconds(options.timeoutMs)} et a été arrêtée. Ouvrez-le dans votre tableur, enregistrez-le au format .xlsx, puis importez celui-ci.`,
      );
    }
    const converted = await readFile(join(outDir, `classeur.${target.extension}`)).catch(() => null);
    if (converted && converted.length > 0) return converted;
    if (options.encrypted) throw protectedFile(file);
    const output = ended.kind === 'failed' ? ended.message : ended.output.trim();
    throw new LegacyFileError(
      'conversion_impossible',
      file,
      `LibreOffice n’a pas pu ouvrir ce classeur ${FORMAT_NAMES[kind]} : il est peut-être endommagé. Ouvrez-le dans votre tableur, enregistrez-le au format .xlsx, puis importez celui-ci.`,
      { cause: new Error(output || 'LibreOffice wrote no file') },
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The .xlsx LibreOffice makes of an .xls or .ods. */
export function convertToXlsx(
  bytes: Buffer,
  kind: ConvertedKind,
  file: string,
  options: ConvertOptions,
): Promise<Buffer> {
  return convertSpreadsheet(bytes, kind, XLSX_TARGET, file, options);
}
