/**
 * LibreOffice in headless mode: recalculates workbooks (every formula, on load) and converts
 * spreadsheets between formats. Each call uses its own profile so calls may run in parallel.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const RECALC_PROFILE = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`;

export function sofficeBinary(): string {
  return process.env.CAHIER_SOFFICE ?? 'soffice';
}

export class LibreOfficeMissing extends Error {
  constructor() {
    super(
      'LibreOffice est introuvable (commande « soffice »). Installez-le : apt-get install -y libreoffice-calc-nogui',
    );
  }
}

/**
 * Converts `input` to `format` ("xlsx", "ods", "csv"…) with every formula recalculated.
 * Returns the converted file's content.
 */
export async function convertWithLibreOffice(input: Buffer, inputExt: string, format: string): Promise<Buffer> {
  const work = await mkdtemp(join(tmpdir(), 'cahier-lo-'));
  try {
    const profile = join(work, 'profile');
    await mkdir(join(profile, 'user'), { recursive: true });
    await writeFile(join(profile, 'user', 'registrymodifications.xcu'), RECALC_PROFILE);
    const source = join(work, `classeur${inputExt.startsWith('.') ? inputExt : `.${inputExt}`}`);
    await writeFile(source, input);
    const outDir = join(work, 'out');
    await mkdir(outDir);
    await new Promise<void>((resolve, reject) => {
      execFile(
        sofficeBinary(),
        [
          `-env:UserInstallation=${pathToFileURL(profile).href}`,
          '--headless',
          '--norestore',
          '--nolockcheck',
          '--convert-to',
          format,
          '--outdir',
          outDir,
          source,
        ],
        { timeout: 180_000 },
        (error, _stdout, stderr) => {
          if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') reject(new LibreOfficeMissing());
          else if (error) reject(new Error(`LibreOffice a échoué : ${stderr || error.message}`));
          else resolve();
        },
      );
    });
    const name = `${basename(source, extname(source))}.${format.split(':')[0]}`;
    return await readFile(join(outDir, name));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Recalculates an .xlsx workbook; the result carries every formula's computed value. */
export function recalculateXlsx(xlsx: Buffer): Promise<Buffer> {
  return convertWithLibreOffice(xlsx, '.xlsx', 'xlsx');
}
