/**
 * Pièces justificatives in the task pane, in a real browser against the real service: the
 * photo of a receipt (PNG) joined to the selected line from the file picker, listed in the
 * pane, stored on the service byte for byte, counted « 📎 1 » in the sheet's Statut cell
 * without the line being taken for an edit; the same photo twice kept once; a Windows program
 * renamed facture.pdf refused with the service's French sentence; a pièce opened and removed;
 * a line not yet on the service says so.
 */
import { randomUUID } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import type { Client } from '../api/harness';
import {
  LINES,
  badge,
  cell,
  expectBadge,
  expectText,
  logInAndCreate,
  openPane,
  queueLength,
  rowOf,
  selectRow,
  shot,
  waitFor,
  type Pane,
} from './pane';

const EXERCISE = LINES.replace(/\/lines$/, '');

/** CRC-32 of PNG chunks (ISO 3309). */
function crc32(bytes: Buffer): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A real PNG: a w×h grey picture with lines of print and some grain, like a photo of a receipt. */
function png(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((w + 1) * h);
  let seed = 7;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      raw[y * (w + 1) + 1 + x] = (y % 8 < 2 ? 60 : 225) + (seed % 24);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The first bytes of a Windows program (MZ header, DOS stub), whatever its name says. */
function windowsProgram(): Buffer {
  const b = Buffer.alloc(512);
  b.write('MZ', 0, 'ascii');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('This program cannot be run in DOS mode.', 0x4e, 'ascii');
  b.write('PE\0\0', 0x80, 'binary');
  return b;
}

interface StoredAttachment {
  id: number;
  lineId: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
}

describe('pièces justificatives dans le volet', () => {
  let pane: Pane;
  let page: Page;
  let api: Client;
  const lineId = randomUUID();
  const receipt = png(120, 200);

  const select = async (row: number) => {
    await selectRow(page, row);
    await page.getByRole('button', { name: 'Lire la ligne sélectionnée' }).click();
  };
  const pieces = () => page.getByRole('region', { name: 'Pièces justificatives' });
  const attach = (name: string, buffer: Buffer, mimeType: string) =>
    page.getByLabel('Fichier de la pièce').setInputFiles({ name, mimeType, buffer });
  const stored = async () =>
    (await api.request<StoredAttachment[]>('GET', `${EXERCISE}/lines/${lineId}/attachments`)).body;

  beforeAll(async () => {
    pane = await openPane('fr-FR');
    ({ page, api } = pane);
    await logInAndCreate(pane);
    const r = await api.request('POST', `${EXERCISE}/sync`, {
      lines: [
        {
          id: lineId,
          version: null,
          line: {
            pj: '01',
            date: '2025-09-12',
            libelle: 'Boulangerie Martin – goûter de rentrée',
            kind: 'depense',
            account: 'caisse',
            mode: 'especes',
            cheque: null,
            action: null,
            amount: 2_340,
            ventilation: [{ chapter: '6180', amount: 2_340 }],
          },
        },
      ],
    });
    expect(r.status).toBe(200);
    await page.getByRole('button', { name: 'Charger l’exercice depuis le service' }).click();
    await expectText(page, '1 écriture(s) chargée(s) depuis le service.');
    await page.getByRole('tab', { name: 'Ligne sélectionnée' }).click();
    await select(await rowOf(page, 'id', lineId));
    await expectText(pieces(), 'Aucune pièce jointe à cette ligne.');
  });

  afterAll(async () => {
    await pane?.close();
  });

  test('the file picker offers PDF, JPEG and PNG, and a phone its camera', async () => {
    const accept = await page.getByLabel('Fichier de la pièce').getAttribute('accept');
    expect(accept?.split(',')).toEqual(
      expect.arrayContaining(['application/pdf', 'image/jpeg', 'image/png', '.pdf', '.jpg', '.png']),
    );
    expect(await page.getByLabel('Photo de la pièce').getAttribute('capture')).toBe('environment');
    expect(await page.getByLabel('Photo de la pièce').getAttribute('accept')).toBe('image/jpeg,image/png');
  });

  test('a photo of the receipt joined: listed in the pane, stored on the service, 📎 1 in the sheet', async () => {
    const row = await rowOf(page, 'id', lineId);
    const version = await cell(page, row, 'version');
    expect(await cell(page, row, 'status')).toBe('✓');
    await attach('ticket-boulangerie.png', receipt, 'image/png');
    await expectText(pieces(), 'Pièce « ticket-boulangerie.png » jointe à la ligne.');
    const list = page.getByRole('list', { name: 'Pièces de la ligne' });
    const kb = (receipt.length / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 1 });
    await expectText(list, `📎 ticket-boulangerie.png · PNG · ${kb} Ko`);
    await expectText(pieces(), 'Pièces justificatives (1)');
    // Stored on the service, byte for byte, recognised as a PNG by its content.
    const [a] = await stored();
    expect(a).toMatchObject({ lineId, name: 'ticket-boulangerie.png', type: 'image/png', size: receipt.length });
    const bytes = await fetch(`${api.base}${EXERCISE}/attachments/${a!.id}`, {
      headers: { authorization: `Bearer ${api.token}` },
    });
    expect(bytes.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await bytes.arrayBuffer()).equals(receipt)).toBe(true);
    // The sheet's Statut column counts it; writing it is no edit of the line.
    await waitFor(async () => (await cell(page, row, 'status')) === '✓ 📎 1');
    expect((await api.request('GET', `${EXERCISE}/attachments`)).body).toEqual({ counts: { [lineId]: 1 } });
    await new Promise((r) => setTimeout(r, 500));
    await expectBadge(badge(page), 'Tout est synchronisé');
    expect(await queueLength(page)).toBe(0);
    expect(await cell(page, row, 'version')).toBe(version);
    await shot(page, '40-piece-jointe');
  });

  test('the same photo joined twice is kept once', async () => {
    await attach('ticket-boulangerie (1).png', receipt, 'image/png');
    await expectText(pieces(), 'Ce fichier est déjà joint à la ligne');
    expect(await stored()).toHaveLength(1);
    expect(await cell(page, await rowOf(page, 'id', lineId), 'status')).toBe('✓ 📎 1');
  });

  test('a Windows program renamed facture.pdf is refused with the service’s French sentence', async () => {
    await attach('facture.pdf', windowsProgram(), 'application/pdf');
    const refusal = pieces().getByText('n’est pas un PDF, JPEG ou PNG d’après son contenu');
    await refusal.waitFor();
    const text = await refusal.innerText();
    expect(text).toContain('« facture.pdf »');
    expect(text).toContain('c’est un programme Windows');
    expect(text).toContain('seuls les fichiers PDF et les images JPEG ou PNG sont acceptés');
    await shot(page, '41-piece-refusee');
    // Nothing stored: still the one photo, still 📎 1.
    expect((await stored()).map((a) => a.name)).toEqual(['ticket-boulangerie.png']);
    expect(await cell(page, await rowOf(page, 'id', lineId), 'status')).toBe('✓ 📎 1');
  });

  test('a pièce opened: the photo in a window of its own', async () => {
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      page
        .getByRole('list', { name: 'Pièces de la ligne' })
        .getByRole('listitem')
        .filter({ hasText: 'ticket-boulangerie.png' })
        .getByRole('button', { name: 'Ouvrir' })
        .click(),
    ]);
    await popup.waitForLoadState();
    expect(popup.url()).toMatch(/^blob:http:\/\/localhost:\d+\//);
    // The browser shows the photo itself (an image document of the PNG's size).
    await waitFor(() => popup.evaluate(() => document.images[0]?.complete ?? false));
    const shown = await popup.evaluate(() => ({
      type: document.contentType,
      width: document.images[0]!.naturalWidth,
      height: document.images[0]!.naturalHeight,
    }));
    expect(shown).toEqual({ type: 'image/png', width: 120, height: 200 });
    await popup.close();
  });

  test('a pièce removed after confirmation: gone from the service, the 📎 leaves the sheet', async () => {
    await page
      .getByRole('list', { name: 'Pièces de la ligne' })
      .getByRole('listitem')
      .filter({ hasText: 'ticket-boulangerie.png' })
      .getByRole('button', { name: 'Supprimer' })
      .click();
    await expectText(page, 'Supprimer cette pièce ?');
    await page.getByRole('button', { name: 'Supprimer la pièce' }).click();
    await expectText(pieces(), 'Pièce « ticket-boulangerie.png » supprimée.');
    await expectText(pieces(), 'Aucune pièce jointe à cette ligne.');
    expect(await stored()).toEqual([]);
    await waitFor(async () => (await cell(page, await rowOf(page, 'id', lineId), 'status')) === '✓');
    expect(pane.cspViolations).toEqual([]);
  });

  test('a pulled exercise shows the counts; a line not yet on the service takes a pièce once sent', async () => {
    await attach('ticket-boulangerie.png', receipt, 'image/png');
    await expectText(pieces(), 'Pièce « ticket-boulangerie.png » jointe à la ligne.');
    // Loaded again from the service: the count comes with the lines.
    await page.getByRole('button', { name: 'Charger l’exercice depuis le service' }).click();
    await expectText(page, '1 écriture(s) chargée(s) depuis le service.');
    expect(await cell(page, await rowOf(page, 'id', lineId), 'status')).toBe('✓ 📎 1');
    // The service is away: a line typed now waits in the queue, without an id on the service.
    await pane.stopService();
    await page.evaluate(() => {
      window.cahierWorkbook!.type(1, {
        pj: '02',
        date: '2025-09-15',
        libelle: 'Papeterie – cahiers',
        mode: 'Espèces',
        caisse_depenses: 12.5,
        chapitre: '6180 – Activités éducatives',
      });
    });
    await waitFor(async () => String(await cell(page, 1, 'status')).startsWith('⏳')).catch(async (e: Error) => {
      throw new Error(`${e.message} : statut « ${String(await cell(page, 1, 'status'))} »`);
    });
    await select(1);
    await expectText(pieces(), 'Cette ligne n’est pas encore enregistrée sur le service');
    expect(await page.getByLabel('Fichier de la pièce').count()).toBe(0);
    await shot(page, '42-piece-ligne-non-envoyee');
    // The service is back and the line is sent: the pane offers its pièces without being asked.
    await pane.start();
    await page.getByRole('button', { name: 'Réessayer' }).click();
    await expectText(pieces(), 'Aucune pièce jointe à cette ligne.');
    await expect(page.getByLabel('Fichier de la pièce').count()).resolves.toBe(1);
  });
});
