/**
 * Legacy cahiers at the edge: the bytes of an old workbook (.xlsx, .xls, .ods) in, a grid of plain
 * cell values per sheet out (LegacyWorkbook, templates/definition/legacy-contract.ts). What the
 * grid means (header, columns, lines) is read by the pure domain, not here.
 *
 * The file is hostile until read: its size first, then its magic bytes (the name never decides),
 * then the zip judged from its directory and decompressed once under watch before ExcelJS parses
 * it; .xls and .ods go through LibreOffice headless with a time limit. Every refusal is a
 * LegacyFileError: a stable code and a French sentence naming the file.
 */
import type { LegacyWorkbook } from '../../../templates/definition/legacy-contract';
import { sofficeBinary } from '../../libreoffice';
import { convertToXlsx } from './convert';
import { LegacyFileError, formatMegabytes } from './errors';
import { sniffWorkbook } from './sniff';
import { UnreadableXlsx, readXlsx } from './xlsx';
import { MAX_RATIO } from './zip';

export { LegacyFileError, type LegacyFileErrorCode } from './errors';

export const LEGACY_LIMITS = {
  /** A cahier of ten years with its pictures stays far below. */
  maxBytes: 20 * 1024 * 1024,
  /** Filled cells of the whole workbook: eight thousand lines of 25 columns (about 140 MB once loaded). */
  maxCells: 200_000,
  /** Row elements of one sheet. */
  maxRows: 100_000,
  /** Entries of the zip: a workbook has a few dozen. */
  maxEntries: 5_000,
  /** Declared size of the whole zip once decompressed. */
  maxUncompressedBytes: 128 * 1024 * 1024,
  /** Declared size of one entry once decompressed: a sheet of 200,000 cells is about 20 MB of XML. */
  maxEntryBytes: 48 * 1024 * 1024,
  /** Decompressed / compressed size of one entry above 1 MB. */
  maxRatio: MAX_RATIO,
  /** LibreOffice's conversion of one file. */
  timeoutMs: 120_000,
} as const;

/** The size cap of a legacy file (the API and the command line refuse bigger uploads before reading). */
export const MAX_LEGACY_BYTES = LEGACY_LIMITS.maxBytes;

export interface ReadLegacyOptions {
  /** The soffice command (default: CAHIER_SOFFICE or "soffice"); null when LibreOffice is absent. */
  soffice?: string | null;
  /** Time limit of a LibreOffice conversion, in milliseconds. */
  timeoutMs?: number;
  /** Size cap of the file. */
  maxBytes?: number;
  /** Cap of filled cells in the whole workbook. */
  maxCells?: number;
}

/**
 * Reads a legacy workbook: every sheet, `rows[r][c]` as the file holds it (dates typed as dates →
 * `{ date }`, formulas → their cached result, merged cells → the value in the top-left cell only,
 * errors → null). Throws LegacyFileError for every refusal; never returns half a workbook.
 */
export async function readLegacyFile(
  bytes: Buffer,
  file: string,
  options: ReadLegacyOptions = {},
): Promise<LegacyWorkbook> {
  const maxBytes = options.maxBytes ?? LEGACY_LIMITS.maxBytes;
  if (bytes.length > maxBytes) {
    throw new LegacyFileError(
      'fichier_trop_gros',
      file,
      `le fichier pèse ${formatMegabytes(bytes.length)} : la limite est de ${formatMegabytes(maxBytes)}. Un cahier de comptabilité pèse bien moins ; vérifiez qu’il s’agit du bon fichier.`,
    );
  }
  const zipLimits = {
    maxEntries: LEGACY_LIMITS.maxEntries,
    maxUncompressedBytes: LEGACY_LIMITS.maxUncompressedBytes,
    maxEntryBytes: LEGACY_LIMITS.maxEntryBytes,
    maxRatio: LEGACY_LIMITS.maxRatio,
  };
  const sheetLimits = { maxCells: options.maxCells ?? LEGACY_LIMITS.maxCells, maxRows: LEGACY_LIMITS.maxRows };
  try {
    const convert = {
      soffice: options.soffice === undefined ? sofficeBinary() : options.soffice,
      timeoutMs: options.timeoutMs ?? LEGACY_LIMITS.timeoutMs,
    };
    const readConverted = async (converted: Buffer) => {
      const again = await sniffWorkbook(converted, file, zipLimits);
      if (again.kind !== 'xlsx') throw new Error('LibreOffice did not write an .xlsx');
      return readXlsx(converted, again.entries, file, sheetLimits);
    };
    const sniffed = await sniffWorkbook(bytes, file, zipLimits);
    if (sniffed.kind === 'xlsx') {
      try {
        return await readXlsx(bytes, sniffed.entries, file, sheetLimits);
      } catch (error) {
        if (!(error instanceof UnreadableXlsx) || convert.soffice === null) throw error;
        // A sound zip ExcelJS cannot parse: LibreOffice rewrites it plainly (formulas' cached
        // results kept: it does not recalculate an .xlsx on load). Refused as it was if that fails.
        const converted = await convertToXlsx(bytes, 'xlsx', file, convert).catch(() => null);
        if (!converted) throw error;
        return await readConverted(converted);
      }
    }
    return await readConverted(
      await convertToXlsx(bytes, sniffed.kind, file, {
        ...convert,
        encrypted: sniffed.kind === 'xls' && sniffed.encrypted,
      }),
    );
  } catch (error) {
    if (error instanceof LegacyFileError) throw error;
    // A reader tripping on a file it should have refused more kindly: still a French refusal.
    throw new LegacyFileError(
      'fichier_invalide',
      file,
      'le classeur est illisible. Ouvrez-le dans votre tableur, enregistrez-le à nouveau au format .xlsx, puis importez-le.',
      { cause: error },
    );
  }
}
