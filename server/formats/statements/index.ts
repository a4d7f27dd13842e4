/**
 * Bank statement files → Statement. The format is found from the content, never from the file's
 * name: CSV, OFX (1.x and 2.x), CFONB 120 and camt.053. The size is checked first, then the magic
 * bytes (a PDF or a workbook is refused with what to download instead), then one reader parses.
 * Every reader is one linear pass; its guards against hostile input are described in its file.
 */
import { STATEMENT_FORMAT_LABELS, STATEMENT_FORMATS } from '../../../templates/definition';
import type { Statement, StatementFormat } from '../../../templates/definition';
import { looksLikeCamt053, readCamt053 } from './camt053';
import { looksLikeCfonb120, readCfonb120 } from './cfonb120';
import { StatementFormatError, refuseXmlDeclarations } from './common';
import { type CsvMapping, readCsv } from './csv';
import { decodeText } from './encoding';
import { readOfx } from './ofx';

export { StatementFormatError, type StatementErrorCode } from './common';
export { CSV_SEPARATORS, validateCsvMapping, type CsvColumn, type CsvMapping, type CsvSeparator } from './csv';

/** A month of a coop's account is a few kilobytes; 5 MB is years of a busy account. */
export const MAX_STATEMENT_BYTES = 5 * 1024 * 1024;

export interface ReadStatementOptions {
  /** How to read a CSV whose columns the reader did not recognise (after a colonnes_introuvables). */
  csvMapping?: CsvMapping;
  /** Named in the error messages. */
  fileName?: string;
}

const FORMATS_READ = STATEMENT_FORMATS.map((f) => STATEMENT_FORMAT_LABELS[f]).join(', ');

function unknownFormat(what: string): StatementFormatError {
  return new StatementFormatError({
    code: 'format_inconnu',
    reason: `${what} Les relevés lus sont : ${FORMATS_READ}. Téléchargez le relevé dans l’un de ces formats sur le site de votre banque.`,
  });
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/** Binary files with a known signature, refused with a sentence a treasurer understands. */
function refuseBinary(bytes: Uint8Array): void {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46])) {
    throw unknownFormat('ce fichier est un PDF : un relevé PDF est fait pour être lu, pas importé.');
  }
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) {
    throw unknownFormat('ce fichier est un classeur Excel ou une archive zip, pas un relevé de compte.');
  }
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) {
    throw unknownFormat('ce fichier est un ancien classeur Excel (.xls), pas un relevé de compte.');
  }
  const head = bytes.subarray(0, 4096);
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  if (!utf16 && head.includes(0)) {
    throw unknownFormat('ce fichier n’est pas un fichier texte (image, document ou programme ?).');
  }
}

function detectText(text: string): StatementFormat | null {
  const body = text.replace(/^\uFEFF/, '');
  const head = body.slice(0, 4000);
  if (/^\s*OFXHEADER\s*:/i.test(head) || /<\?OFX\b/i.test(head) || /^\s*(<\?xml[^>]*>\s*)?<OFX>/i.test(head)) {
    return 'ofx';
  }
  if (looksLikeCamt053(body)) return 'camt053';
  if (looksLikeCfonb120(body)) return 'cfonb120';
  if (/^\s*</.test(head)) return null; // another XML or HTML document
  const lines = head.split(/\r\n|\n|\r/, 60);
  if (lines.some((l) => /[;\t,]/.test(l) && /\d/.test(l))) return 'csv';
  return null;
}

/** The format of a statement file from its content, or null when it is none of the four. */
export function detectFormat(bytes: Buffer | Uint8Array): StatementFormat | null {
  if (bytes.byteLength === 0) return null;
  try {
    refuseBinary(bytes);
  } catch {
    return null;
  }
  return detectText(decodeText(bytes.subarray(0, 64 * 1024)));
}

/**
 * Reads a bank statement file. Throws StatementFormatError (French message naming the file and
 * the line) for anything it cannot read; never returns half a statement.
 */
export function readStatement(bytes: Buffer | Uint8Array, options: ReadStatementOptions = {}): Statement {
  try {
    if (bytes.byteLength > MAX_STATEMENT_BYTES) {
      // Rounded up: a file just over the cap must not read « 5 Mo : limité à 5 Mo ».
      const mb = (n: number) => (Math.ceil((n / (1024 * 1024)) * 10) / 10).toString().replace('.', ',');
      throw new StatementFormatError({
        code: 'fichier_trop_gros',
        reason: `le fichier fait ${mb(bytes.byteLength)} Mo : un relevé est limité à ${mb(MAX_STATEMENT_BYTES)} Mo.`,
      });
    }
    if (bytes.byteLength === 0) {
      throw new StatementFormatError({
        code: 'fichier_vide',
        reason: `le fichier est vide. Les relevés lus sont : ${FORMATS_READ}.`,
      });
    }
    refuseBinary(bytes);
    const text = decodeText(bytes);
    if (text.trim() === '') {
      throw new StatementFormatError({
        code: 'fichier_vide',
        reason: `le fichier ne contient que des espaces. Les relevés lus sont : ${FORMATS_READ}.`,
      });
    }
    const format = detectText(text);
    switch (format) {
      case 'ofx':
        return readOfx(text);
      case 'camt053':
        return readCamt053(text);
      case 'cfonb120':
        return readCfonb120(text);
      case 'csv':
        return readCsv(text.replace(/^\uFEFF/, ''), options.csvMapping);
      default:
        if (/<!(DOCTYPE|ENTITY)/i.test(text.slice(0, 4000))) {
          // An XML we do not read, with declarations: say why it is refused, not only that it is unknown.
          refuseXmlDeclarations(text);
        }
        throw unknownFormat('ce fichier n’est pas un relevé de compte lisible.');
    }
  } catch (error) {
    if (error instanceof StatementFormatError) throw error.inFile(options.fileName);
    // A reader tripping on a file it should have refused more kindly: still a French refusal, never a crash.
    const refusal = new StatementFormatError({
      code: 'fichier_invalide',
      reason: 'le fichier est illisible.',
      fileName: options.fileName ?? null,
    });
    (refusal as { cause?: unknown }).cause = error;
    throw refusal;
  }
}
