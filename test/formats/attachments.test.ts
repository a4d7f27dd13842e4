/**
 * Pièces justificatives recognised by their content: PDF, JPEG and PNG by their magic bytes
 * whatever their name, everything else refused; the names they are kept under.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ACCEPTED_TYPES_TEXT,
  cleanAttachmentName,
  inlineDisposition,
  refusedKind,
  sniffAttachment,
} from '../../server/formats/attachments';
import { padded, tinyJpeg, tinyPdf, tinyPng, windowsExe } from '../fixtures/pieces';

const bytes = (...b: number[]) => Buffer.from(b);

describe('reconnaître une pièce par son contenu', () => {
  test('PDF, JPEG et PNG générés sont reconnus', () => {
    expect(sniffAttachment(tinyPdf())).toBe('application/pdf');
    expect(sniffAttachment(tinyJpeg())).toBe('image/jpeg');
    expect(sniffAttachment(tinyPng())).toBe('image/png');
    expect(sniffAttachment(padded(tinyPdf(), 4096))).toBe('application/pdf');
  });

  test('le PDF généré est un vrai PDF (lu par pdftotext)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cahier-piece-'));
    try {
      writeFileSync(join(dir, 'p.pdf'), tinyPdf('Facture 45899'));
      expect(execFileSync('pdftotext', [join(dir, 'p.pdf'), '-'], { encoding: 'utf8' })).toContain('Facture 45899');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('les en-têtes minimaux suffisent, les en-têtes tronqués ou voisins non', () => {
    expect(sniffAttachment(Buffer.from('%PDF-2.0\n'))).toBe('application/pdf');
    expect(sniffAttachment(Buffer.from('%PDF-'))).toBeNull();
    expect(sniffAttachment(Buffer.from('%PDF-x'))).toBeNull();
    expect(sniffAttachment(Buffer.from(' %PDF-1.7'))).toBeNull();
    expect(sniffAttachment(bytes(0xff, 0xd8, 0xff, 0xe1))).toBe('image/jpeg'); // EXIF (téléphones)
    expect(sniffAttachment(bytes(0xff, 0xd8, 0xff))).toBeNull();
    expect(sniffAttachment(bytes(0xff, 0xd8, 0x00, 0xe0))).toBeNull();
    const png = tinyPng();
    expect(sniffAttachment(png.subarray(0, 16))).toBe('image/png');
    expect(sniffAttachment(png.subarray(0, 8))).toBeNull();
    const badChunk = Buffer.from(png);
    badChunk.write('IDAT', 12, 'latin1');
    expect(sniffAttachment(badChunk)).toBeNull();
  });

  test('un programme renommé facture.pdf, un texte, un vide, un GIF sont refusés', () => {
    expect(sniffAttachment(windowsExe())).toBeNull();
    expect(sniffAttachment(Buffer.from('Facture 45899 : 45,90 €\n'))).toBeNull();
    expect(sniffAttachment(Buffer.alloc(0))).toBeNull();
    expect(sniffAttachment(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))).toBeNull();
    expect(sniffAttachment(Buffer.from('<html><script>alert(1)</script>'))).toBeNull();
  });

  test('ce que ressemble un fichier refusé, pour le message', () => {
    expect(refusedKind(windowsExe())).toBe('un programme Windows');
    expect(refusedKind(Buffer.from('Facture 45899 : 45,90 €\n'))).toBe('un fichier texte');
    expect(refusedKind(Buffer.alloc(0))).toBe('un fichier vide');
    expect(refusedKind(Buffer.from('PK\x03\x04', 'latin1'))).toMatch(/ZIP/);
    const heic = Buffer.concat([bytes(0, 0, 0, 0x18), Buffer.from('ftypheic')]);
    expect(refusedKind(heic)).toMatch(/HEIC/);
    expect(refusedKind(bytes(0x00, 0x01, 0x02, 0xfe))).toBeNull();
    // Text cut inside a multi-byte character at the end of the sample is still text.
    expect(refusedKind(Buffer.from(`${'a'.repeat(1023)}é`))).toBe('un fichier texte');
    expect(ACCEPTED_TYPES_TEXT).toBe('PDF, JPEG ou PNG');
  });
});

describe('le nom gardé', () => {
  test('sans dossier, sans caractère de contrôle ni d’inversion, 255 caractères au plus', () => {
    expect(cleanAttachmentName('C:\\Users\\prof\\Documents\\facture.pdf', 'application/pdf')).toBe('facture.pdf');
    expect(cleanAttachmentName('../../etc/passwd', 'application/pdf')).toBe('passwd');
    expect(cleanAttachmentName('re\u0000çu\u0007\n.png', 'image/png')).toBe('reçu.png');
    expect(cleanAttachmentName('facture\u202efdp.exe', 'application/pdf')).toBe('facturefdp.exe');
    expect(cleanAttachmentName('  .cache ', 'image/png')).toBe('cache');
    expect(cleanAttachmentName('Rec\u0327u.jpg', 'image/jpeg')).toBe('Reçu.jpg'); // NFC
    expect(cleanAttachmentName('x\ud800y.png', 'image/png')).toBe('x\ufffdy.png');
    const long = cleanAttachmentName(`${'é'.repeat(300)}.pdf`, 'application/pdf');
    expect([...long]).toHaveLength(255);
    expect(long.endsWith('é.pdf')).toBe(true);
    const emoji = cleanAttachmentName(`${'📎'.repeat(300)}`, 'image/png');
    expect([...emoji]).toHaveLength(255);
  });

  test('un nom vide prend celui du type', () => {
    expect(cleanAttachmentName(null, 'application/pdf')).toBe('piece.pdf');
    expect(cleanAttachmentName('', 'image/jpeg')).toBe('piece.jpg');
    expect(cleanAttachmentName('/', 'image/png')).toBe('piece.png');
    expect(cleanAttachmentName('..', 'image/png')).toBe('piece.png');
  });

  test('Content-Disposition : inline, le nom en UTF-8', () => {
    expect(inlineDisposition('Reçu n°1 (cantine).pdf')).toBe(
      "inline; filename*=UTF-8''Re%C3%A7u%20n%C2%B01%20%28cantine%29.pdf",
    );
    expect(inlineDisposition('a";b\'c.png')).toBe("inline; filename*=UTF-8''a%22%3Bb%27c.png");
  });
});
