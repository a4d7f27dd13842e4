/**
 * What a received legacy file is, from its bytes only (never its name): an .xlsx (a zip holding
 * xl/workbook.xml), an .ods (a zip whose `mimetype` says so), an .xls (an OLE2 container holding a
 * Workbook stream). Everything else is refused here saying what it looks like: a password-protected
 * workbook (an OLE2 container with EncryptionInfo/EncryptedPackage), a CSV or another text, a PDF,
 * an image, a Word or PowerPoint document, another zip.
 */
import { CfbError, biffIsEncrypted, isCfb, readCfb } from './cfb';
import { LegacyFileError, protectedFile } from './errors';
import { type ZipEntry, type ZipLimits, entryContent, isZip, readZipDirectory } from './zip';

export type SniffedWorkbook =
  | { kind: 'xlsx'; entries: ZipEntry[] }
  | { kind: 'ods' }
  /** encrypted: a FILEPASS record was seen (explains a failed conversion; see biffIsEncrypted). */
  | { kind: 'xls'; encrypted: boolean };

const ODS_MIMETYPES = [
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.spreadsheet-template',
];

const ADVICE = 'Ouvrez-le dans votre tableur et enregistrez-le au format .xlsx (Classeur Excel), puis importez-le.';

/** « ce n’est pas un classeur (malgré son extension .xlsx) : c’est un fichier texte (CSV ?). » */
function notAWorkbook(file: string, what: string, advice = 'Les classeurs lus sont .xlsx, .xls et .ods.') {
  const extension = /\.(xlsx|xlsm|xls|ods)$/i.exec(file)?.[1]?.toLowerCase();
  const despite = extension ? ` malgré son extension .${extension}` : '';
  return new LegacyFileError('format_inconnu', file, `ce n’est pas un classeur${despite} : c’est ${what}. ${advice}`);
}

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0) =>
  bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** A workbook in a format not read (.xlsb, Excel 2003 XML…): how to give it instead. */
function unreadWorkbook(file: string, what: string) {
  return new LegacyFileError('format_inconnu', file, `ce classeur est au format ${what}, qui n’est pas lu. ${ADVICE}`);
}

const XML_2003 = 'XML Excel 2003';

/** A text file: what kind, from its first kilobytes. Null when the bytes are not text. */
function describeText(head: Buffer): string | null {
  if (head.includes(0)) return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    text = head.toString('latin1'); // Windows-1252 CSV exports
    const controls = [...text].filter((c) => c < ' ' && !'\t\r\n\f'.includes(c)).length;
    if (controls > text.length / 100) return null;
  }
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (/urn:schemas-microsoft-com:office:spreadsheet/i.test(start)) return XML_2003;
  if (/^<\?xml[^>]*>\s*<office:document\b/i.test(start)) return 'un document OpenDocument « à plat » (.fods, .fodt)';
  if (/^(<!doctype html|<html|<table|<meta)/i.test(start)) return 'une page web (HTML)';
  if (start.startsWith('<')) return 'un fichier XML';
  if (start.startsWith('{') || start.startsWith('[')) return 'un fichier JSON';
  const lines = start.split(/\r\n|\n|\r/, 20).filter((l) => l.trim() !== '');
  if (lines.length > 0 && lines.some((l) => /[;\t,]/.test(l))) return 'un fichier texte (CSV ?)';
  return start === '' ? 'un fichier texte vide' : 'un fichier texte';
}

async function sniffZip(bytes: Buffer, file: string, limits: ZipLimits): Promise<SniffedWorkbook> {
  const entries = readZipDirectory(bytes, file, limits);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const mimetypeEntry = byName.get('mimetype');
  if (mimetypeEntry && mimetypeEntry.uncompressedSize <= 200) {
    const mimetype = (await entryContent(bytes, mimetypeEntry, file)).toString('latin1').trim();
    if (ODS_MIMETYPES.includes(mimetype)) return { kind: 'ods' };
    if (mimetype.includes('opendocument.text')) throw notAWorkbook(file, 'un document texte OpenDocument (Writer)');
    if (mimetype.includes('opendocument.presentation'))
      throw notAWorkbook(file, 'une présentation OpenDocument (Impress)');
    if (mimetype.includes('opendocument')) throw notAWorkbook(file, 'un document OpenDocument');
  }
  if (byName.has('xl/workbook.xml')) return { kind: 'xlsx', entries };
  if (byName.has('xl/workbook.bin')) {
    throw unreadWorkbook(file, 'Excel binaire (.xlsb)');
  }
  if (byName.has('word/document.xml')) throw notAWorkbook(file, 'un document Word');
  if (byName.has('ppt/presentation.xml')) throw notAWorkbook(file, 'une présentation PowerPoint');
  throw notAWorkbook(file, 'une archive zip');
}

function sniffCfb(bytes: Buffer, file: string): SniffedWorkbook {
  let names: string[];
  let encrypted = false;
  try {
    const cfb = readCfb(bytes);
    names = cfb.entries.map((e) => e.name);
    if (names.includes('EncryptionInfo') || names.includes('EncryptedPackage')) throw protectedFile(file);
    const workbook = cfb.entries.find((e) => e.type === 2 && (e.name === 'Workbook' || e.name === 'Book'));
    if (workbook) encrypted = biffIsEncrypted(cfb.read(workbook, 8192));
  } catch (error) {
    if (error instanceof CfbError) {
      throw new LegacyFileError(
        'fichier_invalide',
        file,
        `le classeur Excel 97-2003 est endommagé ou incomplet (${error.message}). ${ADVICE}`,
      );
    }
    throw error;
  }
  if (names.includes('Workbook') || names.includes('Book')) return { kind: 'xls', encrypted };
  if (names.includes('WordDocument')) throw notAWorkbook(file, 'un document Word (.doc)');
  if (names.includes('PowerPoint Document')) throw notAWorkbook(file, 'une présentation PowerPoint (.ppt)');
  throw notAWorkbook(file, 'un document Microsoft Office qui ne contient pas de classeur');
}

/** The kind of workbook, or a LegacyFileError saying what the file is instead. */
export async function sniffWorkbook(bytes: Buffer, file: string, limits: ZipLimits): Promise<SniffedWorkbook> {
  if (bytes.length === 0) throw new LegacyFileError('fichier_vide', file, 'le fichier est vide.');
  if (isZip(bytes)) return sniffZip(bytes, file, limits);
  if (isCfb(bytes)) return sniffCfb(bytes, file);
  if (startsWith(bytes, ascii('%PDF-'))) throw notAWorkbook(file, 'un document PDF');
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47]) || startsWith(bytes, [0xff, 0xd8, 0xff])) {
    throw notAWorkbook(file, 'une image');
  }
  if (startsWith(bytes, ascii('GIF8'))) throw notAWorkbook(file, 'une image');
  if (
    startsWith(bytes, ascii('Rar!')) ||
    startsWith(bytes, [0x37, 0x7a, 0xbc, 0xaf]) ||
    startsWith(bytes, [0x1f, 0x8b])
  ) {
    throw notAWorkbook(file, 'une archive compressée');
  }
  // Excel 2.x-4.x wrote BIFF records straight to the file (BOF 0x0009, 0x0209, 0x0409), no container.
  if (bytes.length >= 4 && [0x09, 0x0209, 0x0409].includes(bytes.readUInt16LE(0)) && bytes[2]! < 0x20) {
    throw unreadWorkbook(file, 'Excel 4 ou antérieur');
  }
  const text = describeText(bytes.subarray(0, 8192));
  if (text === XML_2003) throw unreadWorkbook(file, XML_2003);
  if (text) throw notAWorkbook(file, text, ADVICE);
  throw notAWorkbook(file, 'un fichier d’un format inconnu');
}
