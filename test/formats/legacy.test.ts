/**
 * Legacy workbooks read into grids of cell values (server/formats/legacy): the generated OCCE and
 * department cahiers in .xlsx, and in .xls and .ods through LibreOffice (skipped when it is not
 * installed); what each kind of cell gives; every refusal on its French message naming the file,
 * the zip bombs in bounded memory.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { LEGACY_LIMITS, LegacyFileError, readLegacyFile } from '../../server/formats/legacy';
import type { LegacyWorkbook } from '../../templates/definition/legacy-contract';
import {
  RENAMED_CSV,
  RENAMED_PDF,
  convertFixture,
  corrupted,
  deflatedPart,
  departmentCahier,
  hasSoffice,
  largeSheetXlsx,
  legacyFixtures,
  occeCahier,
  passwordProtectedXls,
  passwordProtectedXlsx,
  storedPart,
  truncated,
  writeCfb,
  writeZip,
  xlsxExcelJsCannotRead,
  zipBomb,
  zipOfManyEntries,
  type LegacyFixture,
} from '../fixtures/legacy-files';

const soffice = hasSoffice();
const withSoffice = soffice ? test : test.skip;

/** The refusal of a read, or a failure when the file was read. */
async function refusal(read: Promise<unknown>): Promise<LegacyFileError> {
  try {
    await read;
  } catch (error) {
    if (error instanceof LegacyFileError) return error;
    throw error;
  }
  throw new Error('the file was read instead of refused');
}

/** The workbook named as given to the reader. */
const named = (grid: LegacyWorkbook, file: string): LegacyWorkbook => ({ ...grid, file });

/** Runs `work` with os.tmpdir() on a folder of its own, then gives what is left in that folder. */
async function inPrivateTmp(work: (dir: string) => Promise<void>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cahier-legacy-test-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    await work(dir);
    return readdirSync(dir);
  } finally {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The processes whose command line mentions `text` (soffice started from a folder). */
function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) found.push(Number(pid));
    } catch {
      // ended meanwhile
    }
  }
  return found;
}

/** The peak resident memory while `work` runs, sampled every 5 ms, and what it was before. */
async function peakMemory<T>(work: () => Promise<T>): Promise<{ result: T; before: number; peak: number }> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const result = await work();
    return { result, before, peak: Math.max(peak, process.memoryUsage().rss) };
  } finally {
    clearInterval(timer);
  }
}

const MB = 1024 * 1024;

/**
 * The peak resident memory of a new process that reads `bytes` as a legacy file and is refused
 * (what a server process importing it would hold); the jest worker's own size depends on the
 * tests it ran before, so only the growth is measured there.
 */
function peakInFreshProcess(bytes: Buffer, name: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'cahier-bombe-'));
  try {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    const script = join(dir, 'lire.ts');
    writeFileSync(
      script,
      `import { readFileSync } from 'node:fs';
import { readLegacyFile } from ${JSON.stringify(join(__dirname, '../../server/formats/legacy'))};
readLegacyFile(readFileSync(${JSON.stringify(file)}), ${JSON.stringify(name)}).then(
  () => process.stdout.write('lu'),
  (e: { code?: string }) => process.stdout.write(String(e.code)),
).finally(() => process.stdout.write(' ' + process.resourceUsage().maxRSS));
`,
    );
    const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), script], { encoding: 'utf8' });
    const [code, kb] = r.stdout.trim().split(' ');
    expect(code).toBe('archive_suspecte');
    return Number(kb) * 1024;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('les anciens cahiers relus cellule par cellule', () => {
  const fixtures = legacyFixtures();
  const converted = new Map<string, Buffer>();

  beforeAll(async () => {
    if (!soffice) return;
    for (const fixture of fixtures) {
      const xlsx = await fixture.xlsx();
      converted.set(`${fixture.file}.xls`, await convertFixture(xlsx, 'xls'));
      converted.set(`${fixture.file}.ods`, await convertFixture(xlsx, 'ods'));
    }
  });

  test.each(fixtures.map((f) => [f.file, f] as [string, LegacyFixture]))('%s en .xlsx', async (file, fixture) => {
    expect(await readLegacyFile(await fixture.xlsx(), file)).toEqual(fixture.grid);
  });

  test('le cahier OCCE : titres fusionnés, en-tête sur deux lignes, dates, montants, formules', async () => {
    const fixture = occeCahier();
    const [sheet] = (await readLegacyFile(await fixture.xlsx(), fixture.file)).sheets;
    const cell = (ref: string) => {
      const m = /^([A-Z])(\d+)$/.exec(ref)!;
      return sheet!.rows[Number(m[2]) - 1]![m[1]!.charCodeAt(0) - 65] ?? null;
    };
    expect(sheet!.name).toBe('Cahier 2025-2026');
    // Merged cells: the value in the top-left cell only (ExcelJS repeats it in the others).
    expect(cell('B1')).toBe('OCCE 87 – Coopérative scolaire de l’école Jean Moulin (Limoges) – n° 087-0123');
    expect(cell('C1')).toBeNull();
    expect([cell('B4'), cell('B5')]).toEqual(['N° PJ', null]);
    expect([cell('H4'), cell('I4'), cell('J4'), cell('K4')]).toEqual(['Banque', null, 'Caisse', null]);
    expect([cell('H5'), cell('I5'), cell('L5'), cell('M5'), cell('S5')]).toEqual([
      'Recettes',
      'Dépenses',
      6070,
      '6181 Activités éducatives',
      '7600 - Produits financiers',
    ]);
    // Dates: typed as dates, a serial number in General format, texts.
    expect(cell('D7')).toEqual({ date: '2025-09-02' });
    expect(cell('D8')).toBe('5/9/25');
    expect(cell('D9')).toBe(45912);
    expect(cell('D10')).toBe('15/09/2025');
    // Amounts as numbers and as texts, cheques, pointage marks.
    expect([cell('I7'), cell('N7'), cell('J9'), cell('H11')]).toEqual([187.6, 125.6, '45,00', '1\u00a0234,56\u00a0€']);
    expect([cell('F7'), cell('F8'), cell('F14')]).toEqual([1234567, 'n°1234568', 'N° 1234569']);
    expect([cell('C7'), cell('C8'), cell('C10'), cell('C11'), cell('C9')]).toEqual(['X', 'x', 'p', '✓', null]);
    // The cash deposit: banque recette and caisse dépense on one row.
    expect([cell('H10'), cell('K10'), cell('M10')]).toEqual([45, 45, null]);
    // Totals: the cached results of SUBTOTAL and SUM, 0 included; a text amount is not summed,
    // the repeated header's 6070 is.
    expect([cell('E13'), cell('H13'), cell('I13'), cell('J13'), cell('Q13')]).toEqual([
      'Total septembre',
      45,
      252.5,
      0,
      1234.56,
    ]);
    expect([cell('L21'), cell('H23'), cell('I23')]).toEqual([6382, 585, 844.5]);
    expect(sheet!.rows).toHaveLength(23);
  });

  test('les chiffres attendus des deux cahiers', () => {
    const occe = occeCahier();
    expect(occe.report).toEqual({
      file: 'cahier-087-0123-2025-2026.xlsx',
      status: 'ok',
      sheet: 'Cahier 2025-2026',
      coop: '087-0123',
      exercise: { start: '2025-09-01', end: '2026-08-31' },
      openingBalances: { banque: 152340, caisse: 8550 },
      entries: { validated: 9, drafts: 2 },
      pointed: 6,
      skippedRows: [
        { row: 6, reason: 'report à nouveau' },
        { row: 12, reason: 'ligne vide' },
        { row: 13, reason: 'ligne de total' },
        { row: 17, reason: 'en-tête répété' },
        { row: 21, reason: 'ligne de total' },
        { row: 23, reason: 'ligne de total' },
      ],
      totals: {
        banque: { recettes: 182268, depenses: 56450 },
        caisse: { recettes: 4500, depenses: 6880 },
        chapters: {
          '6070': 31200,
          '6181': 10870,
          '6281': 12560,
          '6282': 4200,
          '7070': 54000,
          '7410': 123456,
          '7560': 4500,
          '7600': 312,
        },
      },
      newChapters: ['6181', '7600'],
    });
    expect(occe.expected.lines.filter((l) => l.errors.length > 0).map((l) => [l.row, l.errors])).toEqual([
      [16, ['ventilation_desequilibree']],
      [18, ['ventilation_manquante']],
    ]);
    expect(occe.expected.lines.find((l) => l.row === 10)!.line).toMatchObject({
      kind: 'depot',
      account: 'banque',
      amount: 4500,
      ventilation: [],
    });

    const department = departmentCahier();
    expect(department.report).toMatchObject({
      sheet: 'Journal 2025-2026',
      coop: '087-0456',
      openingBalances: { banque: 231075, caisse: 12000 },
      entries: { validated: 5, drafts: 1 },
      pointed: 3,
      totals: {
        banque: { recettes: 80000, depenses: 17050 },
        caisse: { recettes: 6420, depenses: 1890 },
        chapters: { '6070': 0, '6180': 9090, '6282': 9850, '7070': 6420, '7420': 50000, '7500': 30000 },
      },
      newChapters: [],
    });
    expect(department.expected.mapping.headerRow).toBe(3);
    expect(department.expected.lines.filter((l) => l.errors.length > 0).map((l) => l.row)).toEqual([8]);
  });

  test('le nom du fichier ne décide pas : un .xlsx nommé .ods ou .xls est lu comme un .xlsx', async () => {
    const fixture = departmentCahier();
    const xlsx = await fixture.xlsx();
    expect(await readLegacyFile(xlsx, 'journal.ods')).toEqual(named(fixture.grid, 'journal.ods'));
    expect(await readLegacyFile(xlsx, 'journal.xls', { soffice: null })).toEqual(named(fixture.grid, 'journal.xls'));
  });

  withSoffice('.xls et .ods convertis par LibreOffice : les mêmes cellules que le .xlsx', async () => {
    for (const fixture of fixtures) {
      for (const kind of ['xls', 'ods'] as const) {
        const file = fixture.file.replace(/\.xlsx$/, `.${kind}`);
        expect(await readLegacyFile(converted.get(`${fixture.file}.${kind}`)!, file)).toEqual(
          named(fixture.grid, file),
        );
      }
    }
  });

  withSoffice('un .xls nommé .xlsx est converti quand même', async () => {
    const fixture = occeCahier();
    const xls = converted.get(`${fixture.file}.xls`)!;
    expect(await readLegacyFile(xls, 'cahier.xlsx')).toEqual(named(fixture.grid, 'cahier.xlsx'));
  });

  test('un .xlsx valide qu’ExcelJS ne sait pas lire : réécrit par LibreOffice, sinon refusé', async () => {
    const bytes = xlsxExcelJsCannotRead();
    const refused = await refusal(readLegacyFile(bytes, 'sans-references.xlsx', { soffice: null }));
    expect([refused.code, refused.message]).toEqual([
      'fichier_invalide',
      'Fichier « sans-references.xlsx » : le classeur est illisible (son contenu ne suit pas le format .xlsx). Ouvrez-le dans votre tableur, enregistrez-le à nouveau au format .xlsx, puis importez-le.',
    ]);
    if (!soffice) return;
    expect(await readLegacyFile(bytes, 'sans-references.xlsx')).toEqual({
      file: 'sans-references.xlsx',
      sheets: [{ name: 'Cahier', rows: [[1, 2], ['Dépôt']] }],
    });
  });

  withSoffice(
    'deux conversions à la fois, chacune avec son profil, sans rien laisser dans le dossier temporaire',
    async () => {
      const occe = occeCahier();
      const department = departmentCahier();
      const left = await inPrivateTmp(async () => {
        const spans: [number, number][] = [];
        const timed = async (bytes: Buffer, file: string) => {
          const start = Date.now();
          const workbook = await readLegacyFile(bytes, file);
          spans.push([start, Date.now()]);
          return workbook;
        };
        const [a, b] = await Promise.all([
          timed(converted.get(`${occe.file}.xls`)!, 'occe.xls'),
          timed(converted.get(`${department.file}.ods`)!, 'departement.ods'),
        ]);
        expect(a).toEqual(named(occe.grid, 'occe.xls'));
        expect(b).toEqual(named(department.grid, 'departement.ods'));
        // Both were under way at the same time.
        expect(Math.max(spans[0]![0], spans[1]![0])).toBeLessThan(Math.min(spans[0]![1], spans[1]![1]));
      });
      expect(left).toEqual([]);
    },
  );
});

describe('ce que donne chaque sorte de cellule', () => {
  let workbook: LegacyWorkbook;
  const ACCENTED = (i: number) => `Écolé n°${i} – dépense à Noël, goûter, Cœur, ½ €`;

  beforeAll(async () => {
    const wb = new ExcelJS.Workbook();
    const cells = wb.addWorksheet('Cellules');
    cells.getCell('A1').value = { formula: 'B1*2' }; // never computed
    cells.getCell('A2').value = { formula: '1+1', result: 3 }; // a cached result not recomputed
    cells.getCell('A3').value = { formula: 'B1-B1', result: 0 };
    cells.getCell('A4').value = { formula: '1>2', result: false };
    cells.getCell('A5').value = { formula: '1/0', result: { error: '#DIV/0!' } };
    cells.getCell('A6').value = { error: '#N/A' };
    cells.getCell('A7').value = { richText: [{ text: 'Sortie ' }, { font: { bold: true }, text: 'à la ferme' }] };
    cells.getCell('A8').value = { text: 'Relevé en ligne', hyperlink: 'https://banque.example/releve' };
    cells.getCell('A9').value = true;
    cells.getCell('A10').value = { formula: 'DATE(2025,9,30)', result: new Date(Date.UTC(2025, 8, 30)) };
    cells.getCell('A10').numFmt = 'dd/mm/yyyy';
    cells.getCell('A11').value = 1234.5;
    cells.getCell('A11').numFmt = '#,##0.00 [$€-40C]';
    cells.getCell('A12').value = new Date(Date.UTC(2025, 8, 1, 23, 30));
    cells.getCell('A12').numFmt = 'dd/mm/yyyy hh:mm';
    cells.getCell('A13').value = new Date(Date.UTC(2026, 0, 1));
    cells.getCell('A13').numFmt = 'd mmmm yyyy';
    cells.getCell('A14').value = '';
    cells.getCell('A15').value = '   ';
    cells.getCell('C16').value = 'au-delà';
    cells.getCell('A17').value = 'fusion';
    cells.mergeCells('A17:C18');
    wb.addWorksheet('Vide');
    const long = wb.addWorksheet('Données & accents');
    for (let r = 1; r <= 4000; r++) long.getCell(r, 1).value = ACCENTED(r);
    workbook = await readLegacyFile(Buffer.from(await wb.xlsx.writeBuffer()), 'cellules.xlsx');
  });

  test('formules : le résultat enregistré, jamais recalculé ; sans résultat, rien', () => {
    const rows = workbook.sheets[0]!.rows;
    expect(rows.slice(0, 5).map((r) => r[0] ?? null)).toEqual([null, 3, 0, false, null]);
    expect(rows[9]![0]).toEqual({ date: '2025-09-30' });
  });

  test('erreurs, texte enrichi, lien, booléen, nombre au format euro', () => {
    const rows = workbook.sheets[0]!.rows;
    expect(rows.slice(5, 11).map((r) => r[0] ?? null)).toEqual([
      null,
      'Sortie à la ferme',
      'Relevé en ligne',
      true,
      { date: '2025-09-30' },
      1234.5,
    ]);
  });

  test('dates : le jour écrit, quelle que soit l’heure ; vides et fins de ligne absents', () => {
    const rows = workbook.sheets[0]!.rows;
    expect(rows[11]).toEqual([{ date: '2025-09-01' }]);
    expect(rows[12]).toEqual([{ date: '2026-01-01' }]);
    expect(rows[13]).toEqual([]);
    expect(rows[14]).toEqual(['   ']);
    expect(rows[15]).toEqual([null, null, 'au-delà']);
    expect(rows[16]).toEqual(['fusion']);
    expect(rows).toHaveLength(17);
  });

  test('toutes les feuilles, dans l’ordre des onglets, même vides', () => {
    expect(workbook.sheets.map((s) => [s.name, s.rows.length])).toEqual([
      ['Cellules', 17],
      ['Vide', 0],
      ['Données & accents', 4000],
    ]);
  });

  test('les lettres accentuées restent entières sur des milliers de libellés', () => {
    const rows = workbook.sheets[2]!.rows;
    expect(rows.every((r, i) => r[0] === ACCENTED(i + 1))).toBe(true);
  });

  test('calendrier 1904 (anciens classeurs Mac) : les mêmes jours', async () => {
    const wb = new ExcelJS.Workbook();
    wb.properties.date1904 = true;
    const sheet = wb.addWorksheet('Mac');
    sheet.getCell('A1').value = new Date(Date.UTC(2025, 8, 15));
    sheet.getCell('A1').numFmt = 'dd/mm/yyyy';
    sheet.getCell('A2').value = { formula: 'A1+1', result: new Date(Date.UTC(2025, 8, 16)) };
    sheet.getCell('A2').numFmt = 'dd/mm/yyyy';
    const read = await readLegacyFile(Buffer.from(await wb.xlsx.writeBuffer()), 'mac.xlsx');
    expect(read.sheets[0]!.rows).toEqual([[{ date: '2025-09-15' }], [{ date: '2025-09-16' }]]);
  });
});

describe('les fichiers refusés, chacun par un message qui le nomme', () => {
  const SUSPECT = ' : ce n’est pas le contenu d’un cahier de comptabilité, le fichier est refusé avant d’être lu.';
  const RESAVE = 'Ouvrez-le dans votre tableur et enregistrez-le au format .xlsx (Classeur Excel), puis importez-le.';
  const OPEN_RESAVE = 'Ouvrez-le dans votre tableur, enregistrez-le à nouveau, puis importez-le.';
  const MISSING_LO =
    'le classeur est au format .xls (Excel 97-2003) : pour le lire, LibreOffice doit être installé sur le serveur (apt-get install libreoffice-calc-nogui). Vous pouvez aussi l’ouvrir dans votre tableur et l’enregistrer au format .xlsx, puis importer celui-ci.';

  test('trop gros : refusé avant tout examen', async () => {
    const big = await refusal(readLegacyFile(Buffer.alloc(21 * MB), 'gros.xlsx'));
    expect([big.code, big.message]).toEqual([
      'fichier_trop_gros',
      'Fichier « gros.xlsx » : le fichier pèse 21 Mo : la limite est de 20 Mo. Un cahier de comptabilité pèse bien moins ; vérifiez qu’il s’agit du bon fichier.',
    ]);
    const capped = await refusal(readLegacyFile(await occeCahier().xlsx(), 'cahier.xlsx', { maxBytes: 1000 }));
    expect(capped.message).toMatch(/^Fichier « cahier\.xlsx » : le fichier pèse \d+,\d Mo : la limite est de 0,1 Mo\./);
    expect(LEGACY_LIMITS.maxBytes).toBe(20 * MB);
  });

  test('vide, CSV, PDF, document Word ou OpenDocument texte, archive zip, .xlsb', async () => {
    const cases: [Buffer, string, string, string][] = [
      [Buffer.alloc(0), 'vide.xlsx', 'fichier_vide', 'Fichier « vide.xlsx » : le fichier est vide.'],
      [
        RENAMED_CSV,
        'cahier.xlsx',
        'format_inconnu',
        `Fichier « cahier.xlsx » : ce n’est pas un classeur malgré son extension .xlsx : c’est un fichier texte (CSV ?). ${RESAVE}`,
      ],
      [
        RENAMED_PDF,
        'cahier.xls',
        'format_inconnu',
        'Fichier « cahier.xls » : ce n’est pas un classeur malgré son extension .xls : c’est un document PDF. Les classeurs lus sont .xlsx, .xls et .ods.',
      ],
      [
        writeZip([storedPart('[Content_Types].xml', '<Types/>'), deflatedPart('word/document.xml', '<w:document/>')]),
        'cahier.ods',
        'format_inconnu',
        'Fichier « cahier.ods » : ce n’est pas un classeur malgré son extension .ods : c’est un document Word. Les classeurs lus sont .xlsx, .xls et .ods.',
      ],
      [
        writeZip([
          storedPart('mimetype', 'application/vnd.oasis.opendocument.text'),
          storedPart('content.xml', '<x/>'),
        ]),
        'compte-rendu.odt',
        'format_inconnu',
        'Fichier « compte-rendu.odt » : ce n’est pas un classeur : c’est un document texte OpenDocument (Writer). Les classeurs lus sont .xlsx, .xls et .ods.',
      ],
      [
        writeZip([storedPart('photos/1.jpg', 'x')]),
        'archives.zip',
        'format_inconnu',
        'Fichier « archives.zip » : ce n’est pas un classeur : c’est une archive zip. Les classeurs lus sont .xlsx, .xls et .ods.',
      ],
      [
        writeZip([storedPart('[Content_Types].xml', '<Types/>'), storedPart('xl/workbook.bin', 'x')]),
        'cahier.xlsb',
        'format_inconnu',
        `Fichier « cahier.xlsb » : ce classeur est au format Excel binaire (.xlsb), qui n’est pas lu. ${RESAVE}`,
      ],
    ];
    for (const [bytes, file, code, message] of cases) {
      const error = await refusal(readLegacyFile(bytes, file));
      expect([file, error.code, error.message]).toEqual([file, code, message]);
    }
  });

  test('protégé par un mot de passe : .xlsx chiffré (conteneur OLE2 EncryptionInfo / EncryptedPackage)', async () => {
    const error = await refusal(readLegacyFile(passwordProtectedXlsx(), 'protege.xlsx', { soffice: null }));
    expect([error.code, error.message]).toEqual([
      'fichier_protege',
      'Fichier « protege.xlsx » : le classeur est protégé par un mot de passe : enregistrez-le sans mot de passe, puis importez-le.',
    ]);
  });

  withSoffice('protégé par un mot de passe : .xls chiffré (FILEPASS), que LibreOffice ne peut ouvrir', async () => {
    const error = await refusal(readLegacyFile(passwordProtectedXls(), 'protege.xls'));
    expect([error.code, error.message]).toEqual([
      'fichier_protege',
      'Fichier « protege.xls » : le classeur est protégé par un mot de passe : enregistrez-le sans mot de passe, puis importez-le.',
    ]);
  });

  test('tronqué ou abîmé : .xlsx coupé, données corrompues, conteneur .xls coupé', async () => {
    const xlsx = await occeCahier().xlsx();
    const cut = await refusal(readLegacyFile(truncated(xlsx), 'tronque.xlsx'));
    expect([cut.code, cut.message]).toEqual([
      'fichier_invalide',
      `Fichier « tronque.xlsx » : le classeur est endommagé ou incomplet (la fin de l’archive manque : le fichier est tronqué). ${OPEN_RESAVE}`,
    ]);
    const damaged = await refusal(readLegacyFile(corrupted(xlsx, 'xl/worksheets/sheet1.xml'), 'abime.xlsx'));
    expect([damaged.code, damaged.message]).toEqual([
      'fichier_invalide',
      `Fichier « abime.xlsx » : le classeur est endommagé ou incomplet (« xl/worksheets/sheet1.xml » est corrompu). ${OPEN_RESAVE}`,
    ]);
    const xls = await refusal(readLegacyFile(passwordProtectedXls().subarray(0, 1000), 'tronque.xls'));
    expect([xls.code, xls.message]).toEqual([
      'fichier_invalide',
      `Fichier « tronque.xls » : le classeur Excel 97-2003 est endommagé ou incomplet (secteur hors du fichier). ${RESAVE}`,
    ]);
  });

  test('bombe zip : 300 Mo de zéros en 0,3 Mo, refusée sur son sommaire sans rien décompresser', async () => {
    const bomb = zipBomb(300);
    expect(bomb.length).toBeLessThan(400_000);
    const { result, before, peak } = await peakMemory(() => refusal(readLegacyFile(bomb, 'bombe.xlsx')));
    expect(result.code).toBe('archive_suspecte');
    expect(result.message).toMatch(
      /^Fichier « bombe\.xlsx » : « xl\/worksheets\/sheet1\.xml » passerait de 0,3 Mo à 300 Mo une fois décompressé \(1\u202f0\d\d fois plus ; un classeur ne dépasse pas 100 fois\) : ce n’est pas le contenu d’un cahier de comptabilité, le fichier est refusé avant d’être lu\.$/,
    );
    expect(peak - before).toBeLessThan(32 * MB);
    expect(peakInFreshProcess(bomb, 'bombe.xlsx')).toBeLessThan(512 * MB);
  });

  test('bombe zip qui ment sur sa taille : arrêtée au premier Mo au-delà de ce qu’elle annonce', async () => {
    const bomb = zipBomb(300, 1 * MB); // declares 1 MB: its ratio looks like a sheet's
    const { result, before, peak } = await peakMemory(() => refusal(readLegacyFile(bomb, 'menteuse.xlsx')));
    expect([result.code, result.message]).toEqual([
      'archive_suspecte',
      `Fichier « menteuse.xlsx » : « xl/worksheets/sheet1.xml » se décompresse au-delà des 1 Mo qu’il annonce${SUSPECT}`,
    ]);
    expect(peak - before).toBeLessThan(32 * MB);
    expect(peakInFreshProcess(bomb, 'menteuse.xlsx')).toBeLessThan(512 * MB);
  });

  test('archives démesurées : trop d’éléments, un élément ou un total trop grand une fois décompressé', async () => {
    const many = await refusal(readLegacyFile(zipOfManyEntries(6000), 'entrees.xlsx'));
    expect([many.code, many.message]).toEqual([
      'archive_suspecte',
      `Fichier « entrees.xlsx » : l’archive contient 6\u202f000 éléments (un classeur en compte quelques dizaines, limite 5\u202f000)${SUSPECT}`,
    ]);
    // Random bytes declared as deflated XML: refused on the declared sizes, never inflated.
    const declared = (name: string, mb: number) => ({
      name,
      method: 8 as const,
      data: randomBytes(MB),
      crc: 0,
      size: mb * MB,
    });
    const large = await refusal(
      readLegacyFile(writeZip([declared('xl/worksheets/sheet1.xml', 60)]), 'grosse-feuille.xlsx'),
    );
    expect([large.code, large.message]).toEqual([
      'archive_suspecte',
      `Fichier « grosse-feuille.xlsx » : « xl/worksheets/sheet1.xml » ferait 60 Mo une fois décompressé (limite : 48 Mo)${SUSPECT}`,
    ]);
    const parts = [1, 2, 3].map((n) => declared(`xl/worksheets/sheet${n}.xml`, 45));
    const total = await refusal(readLegacyFile(writeZip(parts), 'trois-feuilles.xlsx'));
    expect([total.code, total.message]).toEqual([
      'archive_suspecte',
      `Fichier « trois-feuilles.xlsx » : son contenu décompressé dépasserait 128 Mo (limite pour un classeur)${SUSPECT}`,
    ]);
  });

  test('feuille trop grande : refusée sur le compte de ses cellules et de ses lignes, avant d’être chargée', async () => {
    const cells = await refusal(readLegacyFile(largeSheetXlsx(2000, 10), 'grand.xlsx', { maxCells: 10_000 }));
    expect([cells.code, cells.message]).toEqual([
      'feuille_trop_grande',
      'Fichier « grand.xlsx » : la feuille « Cahier » compte 20\u202f000 cellules remplies : la limite est de 10\u202f000. Copiez le cahier à importer dans un classeur à part, puis importez celui-ci.',
    ]);
    const rows = await refusal(readLegacyFile(largeSheetXlsx(100_001, 0), 'lignes.xlsx'));
    expect([rows.code, rows.message]).toEqual([
      'feuille_trop_grande',
      'Fichier « lignes.xlsx » : la feuille « Cahier » compte 100\u202f001 lignes : la limite est de 100\u202f000. Copiez le cahier à importer dans un classeur à part, puis importez celui-ci.',
    ]);
    // Under the cap, the same kind of file is read.
    const read = await readLegacyFile(largeSheetXlsx(2000, 10), 'grand.xlsx');
    expect(read.sheets[0]!.rows[1999]).toEqual([2000, 2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008, 2009]);
  });

  test('.xls sans LibreOffice : refusé en disant quoi installer', async () => {
    const xls = writeCfb([{ name: 'Workbook', data: Buffer.alloc(5000) }]);
    const absent = await refusal(readLegacyFile(xls, 'ancien.xls', { soffice: null }));
    expect([absent.code, absent.message]).toEqual(['libreoffice_absent', `Fichier « ancien.xls » : ${MISSING_LO}`]);
    const notFound = await refusal(readLegacyFile(xls, 'ancien.xls', { soffice: '/nulle/part/soffice' }));
    expect([notFound.code, notFound.message]).toEqual(['libreoffice_absent', `Fichier « ancien.xls » : ${MISSING_LO}`]);
  });

  withSoffice('.xls illisible pour LibreOffice, et conversion arrêtée au bout du délai sans rien laisser', async () => {
    const garbage = writeCfb([{ name: 'Workbook', data: Buffer.alloc(5000, 7) }]);
    const failed = await refusal(readLegacyFile(garbage, 'abime.xls'));
    expect([failed.code, failed.message]).toEqual([
      'conversion_impossible',
      'Fichier « abime.xls » : LibreOffice n’a pas pu ouvrir ce classeur .xls (Excel 97-2003) : il est peut-être endommagé. Ouvrez-le dans votre tableur, enregistrez-le au format .xlsx, puis importez celui-ci.',
    ]);
    const xls = await convertFixture(await occeCahier().xlsx(), 'xls');
    let private_ = '';
    const left = await inPrivateTmp(async (dir) => {
      private_ = dir;
      const slow = await refusal(readLegacyFile(xls, 'lent.xls', { timeoutMs: 300 }));
      expect([slow.code, slow.message]).toEqual([
        'delai_depasse',
        'Fichier « lent.xls » : sa conversion par LibreOffice a dépassé 1 seconde et a été arrêtée. Ouvrez-le dans votre tableur, enregistrez-le au format .xlsx, puis importez celui-ci.',
      ]);
    });
    expect(left).toEqual([]);
    expect(processesMentioning(private_)).toEqual([]);
  });
});
