/**
 * GET …/report: a generated year written through the API with its side books; the JSON compte
 * rendu gives the domain's figures, and the xlsx the service answers, recalculated by
 * LibreOffice (once, on SQLite), shows the same compte rendu to the cent, as does the text of
 * the PDF.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type ExcelJS from 'exceljs';
import { DEFAULT_CHART, SHEETS, compteRendu, type Crf } from '../../templates/definition';
import { recalculateXlsx } from '../../server/libreoffice';
import { generateYear } from '../../server/demo/year';
import { addCoop, addUser, openExercise } from '../../server/operations/accounts';
import { centsAt, errorCells, expectCrfSheets, loadWorkbook, rowWith, textAt } from '../workbook/read';
import { Client, DATABASES, startTestService, uuid, type TestService } from './harness';
import { euros } from '../../server/formats/pdf/crf';

const run = promisify(execFile);

/** The text of a PDF (pdftotext) and its page count (pdfinfo). */
async function pdfText(pdf: Buffer): Promise<{ text: string; pages: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'crf-api-'));
  try {
    const file = join(dir, 'crf.pdf');
    await writeFile(file, pdf);
    const text = (await run('pdftotext', ['-layout', file, '-'])).stdout;
    const pages = Number(/^Pages:\s+(\d+)/m.exec((await run('pdfinfo', [file])).stdout)![1]);
    return { text, pages };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const EXERCISE = 2025;
const COOP = '087-0888';

describe.each(DATABASES)('le compte rendu financier ($name)', (kind) => {
  const year = generateYear({ exercise: EXERCISE, seed: 88 });
  const expected = compteRendu(year.lines, DEFAULT_CHART, year.opening);
  const base = `/api/coops/${COOP}/exercises/${EXERCISE}`;
  let service: TestService;
  let api: Client;
  let crf: Crf;

  beforeAll(async () => {
    service = await startTestService(kind);
    const coop = await addCoop(service.db, { number: COOP, name: 'École Victor Hugo', department: '87' });
    await addUser(service.db, { login: 'mandataire.0888', password: 'mot-de-passe-0888', coop: COOP });
    await addCoop(service.db, { number: '087-0999', name: 'École voisine', department: '87' });
    await addUser(service.db, { login: 'mandataire.0999', password: 'mot-de-passe-0999', coop: '087-0999' });
    await openExercise(service.db, coop.id, EXERCISE, year.opening);
    api = await new Client(service.url).login('mandataire.0888', 'mot-de-passe-0888');
    const ids = new Map<string, string>();
    const entries = year.lines.map(({ pointed: _p, ...line }) => ({ id: uuid(), line }));
    for (const e of entries) ids.set(e.line.pj, e.id);
    for (let i = 0; i < entries.length; i += 100) {
      const r = await api.request('POST', `${base}/sync`, { lines: entries.slice(i, i + 100) });
      expect(r.body.counts).toMatchObject({ conflict: 0, invalid: 0 });
    }
    for (const c of year.cashCounts) {
      expect((await api.request('PUT', `${base}/cash-counts/${c.date}`, { counts: c.counts })).status).toBe(201);
    }
    for (const { receipts, uses, received: _r, spent: _s, ...input } of year.subsidies) {
      const created = await api.request('POST', `${base}/subsidies`, input);
      for (const l of receipts) {
        await api.request('POST', `${base}/subsidies/${created.body.id}/lines`, {
          line: ids.get(l.pj),
          role: 'receipt',
        });
      }
      for (const l of uses) {
        await api.request('POST', `${base}/subsidies/${created.body.id}/lines`, { line: ids.get(l.pj), role: 'use' });
      }
    }
    for (const item of year.inventory) {
      const r = await api.request('POST', `/api/coops/${COOP}/inventory`, {
        ...item,
        lines: item.lines.map((l) => ids.get(l.pj)),
      });
      expect(r.status).toBe(201);
    }
    const r = await api.request<Crf>('GET', `${base}/report`);
    expect(r.status).toBe(200);
    crf = r.body;
  });
  afterAll(() => service?.stop());

  test('JSON: identity, provisional, the compte de fonctionnement and the bilan of the domain', () => {
    expect(crf.coop).toMatchObject({ number: COOP, name: 'École Victor Hugo', department: '87' });
    expect(crf.exercise).toMatchObject({ year: EXERCISE, label: '2025-2026', status: 'open' });
    expect(crf.provisional).toBe(true);
    const cf = crf.compteDeFonctionnement;
    expect(cf.charges.map((c) => [c.chapter, c.total])).toEqual(expected.charges.map((c) => [c.chapter.code, c.total]));
    expect(cf.produits.map((c) => [c.chapter, c.total])).toEqual(
      expected.produits.map((c) => [c.chapter.code, c.total]),
    );
    expect([cf.totalCharges, cf.totalProduits, cf.resultat]).toEqual([
      expected.totalCharges,
      expected.totalProduits,
      expected.resultat,
    ]);
    expect(crf.bilan).toMatchObject({
      banque: expected.bilan.banque,
      caisse: expected.bilan.caisse,
      regies: expected.bilan.regie,
      disponible: expected.bilan.disponible,
      reportANouveau: year.opening.banque + year.opening.caisse,
      ecart: 0,
      equilibre: true,
    });
  });

  test('JSON: the side books as the API gives them', () => {
    expect(crf.caisse.arretes).toBe(year.cashCounts.length);
    expect(crf.caisse.dernierArrete).toMatchObject({ date: '2026-08-31', gap: 0, ok: true });
    expect(crf.subventions.map((s) => [s.chapter, s.received, s.spent])).toEqual(
      year.subsidies.map((s) => [s.chapter, s.received, s.spent]),
    );
    expect(crf.inventaire).toHaveLength(year.inventory.length);
    expect(crf.regies.every((r) => r.balance === 0)).toBe(true);
    expect(crf.actions.length).toBeGreaterThanOrEqual(4);
    // No statement imported yet: nothing to compare with, every bank line outstanding.
    expect([crf.rapprochement.statement, crf.rapprochement.gap]).toEqual([null, null]);
    expect(crf.rapprochement.cahierBalance).toBe(expected.bilan.banque);
  });

  test('an unknown format is refused, another coop’s report is not found', async () => {
    const doc = await api.request('GET', `${base}/report?format=doc`);
    expect(doc.status).toBe(422);
    expect(doc.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(doc.body)).toMatch(/json, xlsx ou pdf/);
    const other = await new Client(service.url).login('mandataire.0999', 'mot-de-passe-0999');
    expect((await other.request('GET', `${base}/report`)).status).toBe(404);
  });

  test('pdf: an attachment whose text shows the JSON’s figures', async () => {
    const res = await fetch(`${service.url}${base}/report?format=pdf`, {
      headers: { Authorization: `Bearer ${api.token ?? ''}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="compte-rendu-${COOP}-2025-2026.pdf"`);
    const { text, pages } = await pdfText(Buffer.from(await res.arrayBuffer()));
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(text).toContain(`Page ${pages} / ${pages}`);
    expect(text).toContain('École Victor Hugo');
    expect(text).toContain('Exercice 2025-2026');
    expect(text).toContain('provisoire');
    const cf = crf.compteDeFonctionnement;
    const shows = (label: string, cents: number) =>
      expect(text).toMatch(new RegExp(`${escapeRe(label)}\\s+${escapeRe(euros(cents))}`));
    shows('Total des charges', cf.totalCharges);
    shows('Total des produits', cf.totalProduits);
    shows('Résultat de l’exercice (produits – charges)', cf.resultat);
    for (const c of [...cf.charges, ...cf.produits]) shows(c.label, c.total);
    shows('Total disponible', crf.bilan.disponible);
    shows('Report à nouveau + résultat', crf.bilan.fondsPropres);
    shows('Solde banque du cahier', crf.rapprochement.cahierBalance);
    expect(text).toContain('Bilan équilibré');
  });

  (kind.name === 'sqlite' ? test : test.skip)(
    'xlsx: an attachment whose Compte rendu sheet, recalculated by LibreOffice, shows the JSON’s figures',
    async () => {
      const res = await fetch(`${service.url}${base}/report?format=xlsx`, {
        headers: { Authorization: `Bearer ${api.token ?? ''}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="compte-rendu-${COOP}-2025-2026.xlsx"`);
      const wb: ExcelJS.Workbook = await loadWorkbook(await recalculateXlsx(Buffer.from(await res.arrayBuffer())));
      expect(errorCells(wb)).toEqual([]);
      expectCrfSheets(wb, crf);
      const ws = wb.getWorksheet(SHEETS.compteRendu)!;
      expect(textAt(ws, `E${rowWith(ws, 'B', 'Écart (doit être nul)')}`)).toBe('Bilan équilibré');
      expect(centsAt(ws, `C${rowWith(ws, 'B', '− dépenses non encore pointées (chèques non encaissés…)')}`)).toBe(
        crf.rapprochement.outstanding.payments.total,
      );
    },
  );
});
