/**
 * Pièces justificatives at the edge: what a received file is, read from its first bytes (its
 * magic number), never from its name or the type the client declared; and the name it is kept
 * under. A file that is not a PDF, a JPEG or a PNG is refused before anything is stored.
 */
import { basename } from 'node:path';
import { ATTACHMENT_TYPES, type AttachmentType } from '../../templates/definition/side-book-contract';

export { ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES } from '../../templates/definition/side-book-contract';
export type { AttachmentType } from '../../templates/definition/side-book-contract';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0) =>
  bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/**
 * The type of a pièce by its content, or null when it is none of the accepted ones.
 * - PDF: `%PDF-` then a version digit (`%PDF-1.7`, `%PDF-2.0`), at the very start.
 * - JPEG: the SOI marker FF D8 followed by another marker (FF xx).
 * - PNG: the 8-byte signature, then the IHDR chunk that must come first.
 */
export function sniffAttachment(bytes: Uint8Array): AttachmentType | null {
  if (startsWith(bytes, ascii('%PDF-')) && bytes.length > 5 && bytes[5]! >= 0x30 && bytes[5]! <= 0x39) {
    return 'application/pdf';
  }
  if (startsWith(bytes, [0xff, 0xd8, 0xff]) && bytes.length > 3 && bytes[3] !== 0xff && bytes[3] !== 0x00) {
    return 'image/jpeg';
  }
  if (startsWith(bytes, PNG_SIGNATURE) && startsWith(bytes, ascii('IHDR'), 12)) return 'image/png';
  return null;
}

function isText(head: Uint8Array): boolean {
  if (head.includes(0)) return false;
  try {
    // stream: a multi-byte character cut at the end of the sample is not a reason to say binary.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * What a refused file looks like it is, for the French message (a hint only: it is refused
 * whatever it is). Null when nothing is recognised.
 */
export function refusedKind(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return 'un fichier vide';
  if (startsWith(bytes, ascii('MZ'))) return 'un programme Windows';
  if (startsWith(bytes, [0x7f, 0x45, 0x4c, 0x46])) return 'un programme';
  if (startsWith(bytes, ascii('PK'))) return 'une archive ZIP ou un document Word, Excel ou OpenDocument';
  if (startsWith(bytes, ascii('ftyp'), 4)) {
    const brand = String.fromCharCode(...bytes.slice(8, 12));
    if (/^(hei[cxms]|hev[cx]|mif1|msf1|avif)$/.test(brand))
      return 'une photo HEIC ou AVIF (réglage « Haute efficacité » des téléphones)';
    return 'une vidéo';
  }
  if (startsWith(bytes, ascii('GIF8'))) return 'une image GIF';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'une image WebP';
  if (startsWith(bytes, ascii('II*\0')) || startsWith(bytes, ascii('MM\0*'))) return 'une image TIFF';
  if (isText(bytes.subarray(0, 1024))) return 'un fichier texte';
  return null;
}

/** The French name of each accepted type, for messages. */
export const ATTACHMENT_TYPE_LABELS: Record<AttachmentType, string> = {
  'application/pdf': 'PDF',
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
};

/** « PDF, JPEG ou PNG », from the contract's list. */
export const ACCEPTED_TYPES_TEXT = (() => {
  const labels = ATTACHMENT_TYPES.map((t) => ATTACHMENT_TYPE_LABELS[t]);
  return `${labels.slice(0, -1).join(', ')} ou ${labels[labels.length - 1]}`;
})();

const DEFAULT_NAME: Record<AttachmentType, string> = {
  'application/pdf': 'piece.pdf',
  'image/jpeg': 'piece.jpg',
  'image/png': 'piece.png',
};

/** Longest kept name, in characters (the column holds 255). */
export const MAX_NAME_LENGTH = 255;

/**
 * The name a pièce is kept under: well-formed Unicode (NFC), no folder (either separator), no control or bidirectional
 * override character, trimmed, at most 255 characters (the extension kept when it is cut);
 * a default name from the type when nothing is left.
 */
export function cleanAttachmentName(raw: string | null | undefined, type: AttachmentType): string {
  let name = (raw ?? '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .normalize('NFC');
  name = basename(name.replace(/\\/g, '/'));
  // C0, DEL, C1, and the invisible or direction-changing format characters (U+200B–U+200F,
  // U+202A–U+202E, U+2066–U+2069, U+FEFF) that make « facture<U+202E>fdp.exe » read as a PDF.
  // eslint-disable-next-line no-control-regex
  name = name.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '');
  name = name.trim().replace(/^\.+/, '').trim();
  const chars = [...name];
  if (chars.length > MAX_NAME_LENGTH) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 ? [...name.slice(dot)] : [];
    const keep = ext.length > 0 && ext.length <= 10 ? ext : [];
    name = chars.slice(0, MAX_NAME_LENGTH - keep.length).join('') + keep.join('');
  }
  return name || DEFAULT_NAME[type];
}

/** Content-Disposition for a kept name: inline, the name in UTF-8 (RFC 6266 / RFC 8187). */
export function inlineDisposition(name: string): string {
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `inline; filename*=UTF-8''${encoded}`;
}
