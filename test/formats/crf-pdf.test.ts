/**
 * The compte rendu financier in PDF, read as the department reads it: its text (pdftotext from
 * poppler-utils) holds the CRF's figures, its page count (pdfinfo) is the one printed in
 * « Page n / N », and page 1 renders to PNG (pdftoppm).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateYear } from '../../server/demo/year';
import { printedAmount } from '../../server/formats/pdf/cahier';
import { crfFileName, crfPdf, euros } from '../../server/formats/pdf/crf';
import { buildCrf, formatDateFr, DEFAULT_CHART, type Crf, type CrfInput } from '../../templates/definition';

const run = promisify(execFile);

function generatedInput(status: 'open' | 'closed'): CrfInput {
  const year = generateYear({ perMonth: 8, seed: 12 });
  return {
    coop: {
      number: '087-0123',
      name: 'Coopérative scolaire de l’école Jules Ferry',
      school: 'École élémentaire Jules Ferry',
      department: '87',
    },
    exercise: { year: year.exercise, status },
    date: '2026-03-15',
    chart: DEFAULT_CHART,
    opening: year.opening,
    lines: year.lines.map((l, i) => ({ ...l, id: `l${i}`, status: 'validated' as const })),
    statement: { date: year.releve.date, balance: year.releve.solde },
    cashCounts: year.cashCounts,
    subsidies: year.subsidies.map((s, i) => ({
      ...s,
      id: i + 1,
      version: 1,
      receipts: s.receipts.map((r) => ({ ...r, id: r.pj })),
      uses: s.uses.map((r) => ({ ...r, id: r.pj })),
    })),
    inventory: year.inventory.map((item, i) => ({
      ...item,
      id: i + 1,
      version: 1,
      lines: item.lines.map((l) => ({ ...l, id: l.pj, exercise: year.exercise })),
    })),
  };
}

/** The PDF's text, its page count, and page 1 in PNG. */
async function read(dir: string, name: string, pdf: Buffer) {
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  const file = join(dir, `${name}.pdf`);
  await writeFile(file, pdf);
  const text = (await run('pdftotext', ['-layout', file, '-'])).stdout;
  const info = (await run('pdfinfo', [file])).stdout;
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info)![1]);
  await run('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', '-singlefile', file, join(dir, `${name}-1`)]);
  const png = await readFile(join(dir, `${name}-1.png`));
  return { text, pages, png };
}

describe('le compte rendu financier en PDF', () => {
  let dir: string;
  let crf: Crf;
  let doc: { text: string; pages: number; png: Buffer };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crf-pdf-'));
    crf = buildCrf(generatedInput('open'));
    doc = await read(dir, 'crf', await crfPdf(crf));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('the coop, the exercise, provisional, the date; the file name', () => {
    expect(doc.text).toContain('Compte rendu financier');
    expect(doc.text).toContain('Coopérative scolaire de l’école Jules Ferry');
    expect(doc.text).toContain('087-0123');
    expect(doc.text).toContain('École élémentaire Jules Ferry');
    expect(doc.text).toMatch(/Département\s+87/);
    expect(doc.text).toContain('Exercice 2025-2026');
    expect(doc.text).toContain('provisoire');
    expect(doc.text).toContain('établi le 15/03/2026');
    expect(doc.text).toContain('du 01/09/2025 au 31/08/2026');
    expect(crfFileName(crf)).toBe('compte-rendu-087-0123-2025-2026.pdf');
  });

  test('the compte de fonctionnement: every chapter, the totals, the result', () => {
    const cf = crf.compteDeFonctionnement;
    expect(cf.totalCharges).toBeGreaterThan(100_000);
    expect(doc.text).toMatch(new RegExp(`Total des charges\\s+${esc(euros(cf.totalCharges))}`));
    expect(doc.text).toMatch(new RegExp(`Total des produits\\s+${esc(euros(cf.totalProduits))}`));
    expect(doc.text).toMatch(
      new RegExp(`Résultat de l’exercice \\(produits – charges\\)\\s+${esc(euros(cf.resultat))}`),
    );
    expect(doc.text).toMatch(
      cf.resultat >= 0
        ? new RegExp(`Excédent\\s+${esc(euros(cf.excedent))}`)
        : new RegExp(`Déficit\\s+${esc(euros(cf.deficit))}`),
    );
    for (const c of [...cf.charges, ...cf.produits])
      expect(doc.text).toMatch(new RegExp(`${c.chapter}\\s+.*${esc(euros(c.total))}`));
  });

  test('the bar chart: one labelled bar per chapter with an amount', () => {
    expect(doc.text).toContain('Charges et produits par chapitre');
    const chart = doc.text.slice(doc.text.indexOf('Charges et produits par chapitre'));
    const cf = crf.compteDeFonctionnement;
    for (const c of [...cf.charges, ...cf.produits].filter((c) => c.total !== 0))
      expect(chart).toMatch(new RegExp(`${c.chapter} .*${esc(euros(c.total))}`));
  });

  test('the bilan, the rapprochement, the caisse, the side books', () => {
    const b = crf.bilan;
    expect(doc.text).toContain('Bilan au 31/08/2026');
    expect(doc.text).toMatch(new RegExp(`Banque\\s+${esc(euros(b.banque))}`));
    expect(doc.text).toMatch(new RegExp(`Caisse\\s+${esc(euros(b.caisse))}`));
    expect(doc.text).toMatch(new RegExp(`Total disponible\\s+${esc(euros(b.disponible))}`));
    expect(doc.text).toMatch(new RegExp(`Report à nouveau \\(01/09/2025\\)\\s+${esc(euros(b.reportANouveau))}`));
    expect(doc.text).toMatch(new RegExp(`Report à nouveau \\+ résultat\\s+${esc(euros(b.fondsPropres))}`));
    expect(b.equilibre).toBe(true);
    expect(doc.text).toContain('Bilan équilibré');
    const r = crf.rapprochement;
    expect(doc.text).toMatch(new RegExp(`Solde banque du cahier\\s+${esc(euros(r.cahierBalance))}`));
    expect(doc.text).toContain(`Solde du relevé du ${formatDateFr(r.statement!.date)}`);
    expect(doc.text).toMatch(new RegExp(`Écart \\(doit être nul\\)\\s+${esc(euros(r.gap!))}`));
    expect(doc.text).toContain('Arrêté de caisse');
    expect(doc.text).toContain(`Total compté le ${formatDateFr(crf.caisse.dernierArrete!.date)}`);
    expect(doc.text).toContain('Tableau des subventions');
    for (const s of crf.subventions) {
      expect(doc.text).toContain(s.financeur.split(' ')[0]);
      expect(doc.text).toMatch(
        new RegExp(`${esc(euros(s.granted))}\\s+${esc(euros(s.received))}\\s+${esc(euros(s.spent))}`),
      );
    }
    for (const i of crf.inventaire) expect(doc.text).toContain(euros(i.value));
    for (const g of crf.regies) expect(doc.text).toContain(g.holder);
    for (const a of crf.actions) expect(doc.text).toMatch(new RegExp(`${esc(a.action)}\\s+${esc(euros(a.receipts))}`));
  });

  test('signatures of the mandataire and of the vérificateurs aux comptes, on the last page', () => {
    const last = doc.text.split('\f').filter((p) => p.trim())[doc.pages - 1]!;
    expect(last).toContain('Le mandataire');
    expect(last.match(/Vérificateur aux comptes/g)).toHaveLength(2);
  });

  test('pages numbered « Page n / N », as many as pdfinfo counts; page 1 renders', () => {
    expect(doc.pages).toBeGreaterThanOrEqual(2);
    expect(doc.pages).toBeLessThanOrEqual(8);
    for (let n = 1; n <= doc.pages; n++) expect(doc.text).toContain(`Page ${n} / ${doc.pages}`);
    expect(doc.png.subarray(1, 4).toString()).toBe('PNG');
    expect(doc.png.length).toBeGreaterThan(5_000);
  });

  test('a closed exercise is not provisional; a bilan that does not balance shows its gap', async () => {
    const closed = buildCrf(generatedInput('closed'));
    const wrong: Crf = { ...closed, bilan: { ...closed.bilan, ecart: 12_345, equilibre: false } };
    const { text } = await read(dir, 'closed', await crfPdf(wrong));
    expect(text).not.toContain('provisoire');
    expect(text).toContain(`Écart : ${printedAmount(12_345)} €`);
    expect(text).toContain('Le bilan n’est pas équilibré');
  });

  test('an empty exercise: zero totals, no statement, the side books said empty', async () => {
    const empty = buildCrf({
      ...generatedInput('open'),
      lines: [],
      statement: null,
      cashCounts: [],
      subsidies: [],
      inventory: [],
    });
    const { text, pages } = await read(dir, 'empty', await crfPdf(empty));
    expect(text).toMatch(/Total des charges\s+0,00 €/);
    expect(text).toContain('aucun relevé enregistré');
    expect(text).toContain('Aucune subvention.');
    expect(text).toContain('Aucun arrêté de caisse');
    expect(text).toContain(`Page ${pages} / ${pages}`);
  });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
