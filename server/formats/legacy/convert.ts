/**
 * .xls and .ods converted to .xlsx by LibreOffice headless, the way server/libreoffice.ts runs it
 * (same binary lookup, CAHIER_SOFFICE), with what received files need beside: formulas never
 * recalculated (the cached results are what the treasurer saw), a time limit that kills the whole
 * process group, one profile and one working folder per conversion (conversions run side by side),
 * both removed afterwards.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LegacyFileError, formatCount, protectedFile } from './errors';

/** Recalculation on load: never (1), for OOXML and ODF alike. */
const NO_RECALC_PROFILE = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>1</value></prop></item>
</oor:items>
`;

export type ConvertedKind = 'xls' | 'ods';

const FORMAT_NAMES: Record<ConvertedKind, string> = {
  xls: '.xls (Excel 97-2003)',
  ods: '.ods (OpenDocument)',
};

export interface ConvertOptions {
  /** The soffice command; null when LibreOffice is known to be absent. */
  soffice: string | null;
  timeoutMs: number;
  /** For a conversion that fails: the file carries a password (.xls FILEPASS record). */
  encrypted?: boolean;
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

/** The .xlsx LibreOffice makes of an .xls or .ods, or a LegacyFileError naming the file. */
export async function convertToXlsx(
  bytes: Buffer,
  kind: ConvertedKind,
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
        'xlsx:Calc MS Excel 2007 XML',
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
        `sa conversion par LibreOffice a dépassé ${formatCount(Math.ceil(options.timeoutMs / 1000))} secondes et a été arrêtée. Ouvrez-le dans votre tableur, enregistrez-le au format .xlsx, puis importez celui-ci.`,
      );
    }
    const converted = await readFile(join(outDir, 'classeur.xlsx')).catch(() => null);
    if (converted && converted.length > 0) return converted;
    if (options.encrypted) throw protectedFile(file);
    const detail =
      ended.kind === 'failed'
        ? ended.message
        : ended.output
            .split('\n')
            .find((line) => /^error/i.test(line.trim()))
            ?.trim();
    throw new LegacyFileError(
      'conversion_impossible',
      file,
      `LibreOffice n’a pas pu ouvrir ce classeur ${FORMAT_NAMES[kind]}, il est peut-être endommagé${detail ? ` (${detail})` : ''}. Ouvrez-le dans votre tableur, enregistrez-le au format .xlsx, puis importez celui-ci.`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
