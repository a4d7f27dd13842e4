/**
 * The compte rendu financier in PDF (A4 portrait), laid out to be signed and sent to the
 * department: the coop's identity and the exercise (marked « provisoire » until the closure),
 * the compte de fonctionnement per chapter with a bar chart of charges and produits drawn with
 * the PDF's own vector primitives, the bilan, the tableau de rapprochement, the arrêté de caisse,
 * the subsidies, the inventory, the régies, the actions, then the signatures of the mandataire
 * and of the vérificateurs aux comptes. Pages numbered « Page n / N ».
 *
 * Pure but for the PDF library: the CRF built by `buildCrf` in, bytes out; every figure printed
 * is one of the CRF's, so the PDF, the JSON and the workbook show the same amounts.
 */
import PDFDocument from 'pdfkit';
import { DENOMINATIONS, formatDateFr, type Cents, type Crf, type CrfChapter } from '../../../templates/definition';
import { printedAmount } from './cahier';

// Layout, in points (A4 portrait: 595.28 × 841.89).
const PAGE_W = 595.28;
const PAGE_H = 841.89;
const MARGIN = 40;
const WIDTH = PAGE_W - 2 * MARGIN;
const TOP = MARGIN + 34;
const BOTTOM = PAGE_H - MARGIN - 20;
const ROW_H = 14;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const ITALIC = 'Helvetica-Oblique';
const RULE = '#b0b0b0';
const GREY = '#606060';
const CHARGE_COLOR = '#c0504d';
const PRODUIT_COLOR = '#4f81bd';
/** Outstanding bank items listed one by one in the rapprochement; beyond, their count. */
const OUTSTANDING_LISTED = 12;

type Align = 'left' | 'right' | 'center';

interface Column {
  header: string;
  /** Share of the table's width. */
  width: number;
  align?: Align;
}

interface Row {
  cells: string[];
  bold?: boolean;
}

/** « 1 234,56 € » with a plain space (every PDF font has it). */
export function euros(cents: Cents): string {
  return `${printedAmount(cents)} €`;
}

export function crfFileName(crf: Pick<Crf, 'coop' | 'exercise'>): string {
  return `compte-rendu-${crf.coop.number}-${crf.exercise.label}.pdf`;
}

const SUBSIDY_STATES: Record<Crf['subventions'][number]['state'], string> = {
  a_justifier: 'à justifier',
  justifiee: 'justifiée',
};

export function crfPdf(crf: Crf): Promise<Buffer> {
  const label = crf.exercise.label;
  const doc = new PDFDocument({
    size: 'A4',
    autoFirstPage: false,
    bufferPages: true,
    info: {
      Title: `Compte rendu financier – ${crf.coop.name} – Exercice ${label}${crf.provisional ? ' (provisoire)' : ''}`,
      Author: crf.coop.name,
      Subject: 'Compte rendu financier',
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  let y = TOP;
  const text = (s: string, x: number, at: number, width: number, align: Align = 'left') =>
    doc.text(s, x, at, { width, align, lineBreak: false, ellipsis: true, height: ROW_H });
  const rule = (at: number, width = 0.5, from = MARGIN, to = MARGIN + WIDTH) =>
    doc.moveTo(from, at).lineTo(to, at).strokeColor(RULE).lineWidth(width).stroke();

  const newPage = () => {
    doc.addPage({ size: 'A4', margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: 0 } });
    doc.fillColor('black').font(BOLD).fontSize(9);
    text(`${crf.coop.name} – n° ${crf.coop.number}`, MARGIN, MARGIN, WIDTH * 0.5);
    text(
      `Compte rendu financier – Exercice ${label}${crf.provisional ? ' – provisoire' : ''}`,
      MARGIN + WIDTH * 0.5,
      MARGIN,
      WIDTH * 0.5,
      'right',
    );
    rule(MARGIN + 14, 0.8);
    y = TOP;
  };
  /** Room for `height` points on this page, or a new page. */
  const ensure = (height: number) => {
    if (y + height > BOTTOM) newPage();
  };

  const heading = (title: string) => {
    ensure(22 + 2 * ROW_H);
    y += 6;
    doc.fillColor('black').font(BOLD).fontSize(12);
    text(title, MARGIN, y, WIDTH);
    y += 18;
  };
  const paragraph = (s: string, opts: { italic?: boolean; bold?: boolean; color?: string } = {}) => {
    doc
      .fillColor(opts.color ?? 'black')
      .font(opts.bold ? BOLD : opts.italic ? ITALIC : FONT)
      .fontSize(9);
    const h = doc.heightOfString(s, { width: WIDTH });
    ensure(h + 4);
    doc.text(s, MARGIN, y, { width: WIDTH });
    y += h + 4;
    doc.fillColor('black');
  };

  const table = (columns: readonly Column[], rows: readonly Row[], empty = 'Néant.') => {
    const total = columns.reduce((s, c) => s + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * WIDTH);
    const xs = widths.map((_, i) => MARGIN + widths.slice(0, i).reduce((s, w) => s + w, 0));
    const header = () => {
      doc.fillColor('black').font(BOLD).fontSize(8);
      columns.forEach((c, i) => text(c.header, xs[i]! + 2, y + 3, widths[i]! - 4, c.align ?? 'left'));
      y += ROW_H;
      rule(y, 0.8);
    };
    ensure(2 * ROW_H);
    header();
    if (rows.length === 0) {
      doc.font(ITALIC).fontSize(8);
      text(empty, MARGIN + 2, y + 3, WIDTH - 4);
      y += ROW_H;
      rule(y, 0.3);
    }
    for (const row of rows) {
      doc.font(row.bold ? BOLD : FONT).fontSize(8);
      // A long text wraps within its cell; the row grows to the tallest cell.
      const h = Math.max(ROW_H, ...row.cells.map((c, i) => doc.heightOfString(c, { width: widths[i]! - 4 }) + 5));
      if (y + h > BOTTOM) {
        newPage();
        header();
        doc.font(row.bold ? BOLD : FONT).fontSize(8);
      }
      doc.fillColor('black');
      row.cells.forEach((c, i) => {
        if (c) doc.text(c, xs[i]! + 2, y + 3, { width: widths[i]! - 4, align: columns[i]!.align ?? 'left' });
      });
      y += h;
      rule(y, row.bold ? 0.8 : 0.3);
    }
    y += 6;
  };

  /** Horizontal bars, one per chapter, scaled on the largest total of both sides. */
  const barChart = () => {
    const cf = crf.compteDeFonctionnement;
    const groups: { title: string; color: string; chapters: CrfChapter[] }[] = [
      { title: 'Charges', color: CHARGE_COLOR, chapters: cf.charges.filter((c) => c.total !== 0) },
      { title: 'Produits', color: PRODUIT_COLOR, chapters: cf.produits.filter((c) => c.total !== 0) },
    ];
    const max = Math.max(1, ...groups.flatMap((g) => g.chapters.map((c) => Math.abs(c.total))));
    const labelW = WIDTH * 0.38;
    const amountW = 70;
    const barMax = WIDTH - labelW - amountW - 8;
    const barH = 9;
    // The chart is kept on one page.
    const rows = groups.reduce((n, g) => n + 1 + Math.max(1, g.chapters.length), 0);
    ensure(Math.min(BOTTOM - TOP, 24 + (rows + 1) * ROW_H + 4));
    heading('Charges et produits par chapitre');
    for (const g of groups) {
      ensure(ROW_H * 2);
      doc.fillColor(g.color).font(BOLD).fontSize(9);
      text(g.title, MARGIN, y, WIDTH);
      y += ROW_H;
      if (g.chapters.length === 0) {
        doc.fillColor('black').font(ITALIC).fontSize(8);
        text('Aucun montant.', MARGIN, y + 2, WIDTH);
        y += ROW_H;
      }
      for (const c of g.chapters) {
        ensure(ROW_H);
        const w = Math.max(1, (Math.abs(c.total) / max) * barMax);
        doc.fillColor('black').font(FONT).fontSize(8);
        text(`${c.chapter} ${c.label}`, MARGIN, y + 2, labelW - 4);
        doc
          .rect(MARGIN + labelW, y + 1, w, barH)
          .fillColor(g.color)
          .fill();
        doc.fillColor('black').font(FONT).fontSize(8);
        text(euros(c.total), MARGIN + labelW + w + 4, y + 2, amountW + 4);
        y += ROW_H;
      }
    }
    // The axis: zero and the largest amount.
    doc
      .moveTo(MARGIN + labelW, y)
      .lineTo(MARGIN + labelW + barMax, y)
      .strokeColor(GREY)
      .lineWidth(0.5)
      .stroke();
    doc.fillColor(GREY).font(FONT).fontSize(7);
    text('0', MARGIN + labelW - 10, y + 2, 20, 'center');
    text(euros(max), MARGIN + labelW + barMax - 60, y + 2, 120, 'center');
    doc.fillColor('black');
    y += ROW_H + 4;
  };

  newPage();

  // Title and identity.
  doc.fillColor('black').font(BOLD).fontSize(18);
  doc.text('Compte rendu financier', MARGIN, y, { width: WIDTH, align: 'center' });
  y += 24;
  doc.font(BOLD).fontSize(13);
  doc.text(`Exercice ${label}`, MARGIN, y, { width: WIDTH, align: 'center' });
  y += 18;
  doc.font(FONT).fontSize(9);
  doc.text(
    `du ${formatDateFr(crf.exercise.start)} au ${formatDateFr(crf.exercise.end)} – établi le ${formatDateFr(crf.date)}`,
    MARGIN,
    y,
    { width: WIDTH, align: 'center' },
  );
  y += 16;
  if (crf.provisional) {
    doc.rect(MARGIN, y, WIDTH, 20).strokeColor(CHARGE_COLOR).lineWidth(1).stroke();
    doc.fillColor(CHARGE_COLOR).font(BOLD).fontSize(10);
    doc.text(
      'Document provisoire : l’exercice n’est pas clôturé, les montants peuvent encore changer.',
      MARGIN,
      y + 6,
      {
        width: WIDTH,
        align: 'center',
        lineBreak: false,
      },
    );
    doc.fillColor('black');
    y += 28;
  }
  table(
    [
      { header: 'Coopérative', width: 1 },
      { header: '', width: 2.6 },
    ],
    [
      { cells: ['Nom', crf.coop.name] },
      { cells: ['Numéro', crf.coop.number] },
      { cells: ['Département', crf.coop.department] },
      { cells: ['École', crf.coop.school ?? ''] },
    ],
  );

  // Compte de fonctionnement.
  const cf = crf.compteDeFonctionnement;
  const chapterColumns = (side: string): Column[] => [
    { header: 'Chapitre', width: 0.8 },
    { header: side, width: 3.2 },
    { header: 'Montant', width: 1.2, align: 'right' },
  ];
  const chapterRows = (chapters: readonly CrfChapter[]): Row[] =>
    chapters.map((c) => ({ cells: [c.chapter, c.label, euros(c.total)] }));
  heading('Compte de fonctionnement');
  table(chapterColumns('Charges'), [
    ...chapterRows(cf.charges),
    { cells: ['', 'Total des charges', euros(cf.totalCharges)], bold: true },
  ]);
  table(chapterColumns('Produits'), [
    ...chapterRows(cf.produits),
    { cells: ['', 'Total des produits', euros(cf.totalProduits)], bold: true },
  ]);
  table(
    [
      { header: 'Résultat', width: 4 },
      { header: 'Montant', width: 1.2, align: 'right' },
    ],
    [
      { cells: ['Total des produits', euros(cf.totalProduits)] },
      { cells: ['Total des charges', euros(cf.totalCharges)] },
      { cells: ['Résultat de l’exercice (produits – charges)', euros(cf.resultat)], bold: true },
      cf.deficit > 0
        ? { cells: ['Déficit', euros(cf.deficit)], bold: true }
        : { cells: ['Excédent', euros(cf.excedent)], bold: true },
    ],
  );

  barChart();

  // Bilan.
  const b = crf.bilan;
  heading(`Bilan au ${formatDateFr(crf.exercise.end)}`);
  table(
    [
      { header: 'Disponible', width: 3 },
      { header: 'Montant', width: 1.2, align: 'right' },
    ],
    [
      { cells: ['Banque', euros(b.banque)] },
      { cells: ['Caisse', euros(b.caisse)] },
      { cells: ['Régies d’avance non soldées', euros(b.regies)] },
      { cells: ['Total disponible', euros(b.disponible)], bold: true },
    ],
  );
  table(
    [
      { header: 'Fonds propres', width: 3 },
      { header: 'Montant', width: 1.2, align: 'right' },
    ],
    [
      { cells: [`Report à nouveau (${formatDateFr(crf.exercise.start)})`, euros(b.reportANouveau)] },
      { cells: ['Résultat de l’exercice', euros(b.resultat)] },
      { cells: ['Report à nouveau + résultat', euros(b.fondsPropres)], bold: true },
    ],
  );
  if (b.equilibre) paragraph('Bilan équilibré : le disponible est égal au report à nouveau plus le résultat.');
  else
    paragraph(
      `Écart : ${euros(b.ecart)} (disponible – fonds propres). Le bilan n’est pas équilibré : l’écart doit être expliqué avant l’envoi.`,
      { bold: true, color: CHARGE_COLOR },
    );

  // Tableau de rapprochement.
  const r = crf.rapprochement;
  heading(`Tableau de rapprochement au ${formatDateFr(r.date)}`);
  const outstandingRows = (title: string, o: typeof r.outstanding.payments): Row[] => [
    { cells: [title, euros(o.total)] },
    ...o.lines.slice(0, OUTSTANDING_LISTED).map((l) => ({
      cells: [
        `      ${l.pj} du ${formatDateFr(l.date)} – ${l.libelle}${l.cheque ? ` (chèque ${l.cheque})` : ''}`,
        euros(l.amount),
      ],
    })),
    ...(o.lines.length > OUTSTANDING_LISTED
      ? [{ cells: [`      … et ${o.lines.length - OUTSTANDING_LISTED} autres`, ''] }]
      : []),
  ];
  table(
    [
      { header: '', width: 4 },
      { header: 'Montant', width: 1.2, align: 'right' },
    ],
    [
      { cells: ['Solde banque du cahier', euros(r.cahierBalance)], bold: true },
      ...outstandingRows('+ dépenses non encore pointées (chèques non encaissés…)', r.outstanding.payments),
      ...outstandingRows('– recettes non encore pointées (remises non créditées…)', r.outstanding.receipts),
      { cells: ['Solde attendu sur le relevé', euros(r.expectedStatementBalance)], bold: true },
      r.statement
        ? { cells: [`Solde du relevé du ${formatDateFr(r.statement.date)}`, euros(r.statement.balance)], bold: true }
        : { cells: ['Solde du relevé : aucun relevé enregistré', ''] },
      ...(r.gap !== null ? [{ cells: ['Écart (doit être nul)', euros(r.gap)], bold: true }] : []),
    ],
  );

  // Arrêté de caisse.
  const c = crf.caisse;
  heading('Arrêté de caisse');
  const last = c.dernierArrete;
  if (!last) paragraph(`Aucun arrêté de caisse. Solde de la caisse au cahier : ${euros(c.soldeCahier)}.`);
  else {
    table(
      [
        { header: 'Billets et pièces', width: 3 },
        { header: 'Nombre', width: 1, align: 'right' },
        { header: 'Montant', width: 1.2, align: 'right' },
      ],
      [
        ...DENOMINATIONS.filter((d) => (last.counts[String(d.cents)] ?? 0) > 0).map((d) => {
          const n = last.counts[String(d.cents)] ?? 0;
          return { cells: [d.label, String(n), euros(n * d.cents)] };
        }),
        { cells: [`Total compté le ${formatDateFr(last.date)}`, '', euros(last.total)], bold: true },
        { cells: ['Solde de la caisse au cahier à cette date', '', euros(last.balance)] },
        { cells: ['Écart', '', euros(last.gap)], bold: true },
      ],
    );
    paragraph(
      `${last.ok ? 'Caisse juste.' : 'La caisse ne correspond pas au cahier.'} Solde de la caisse au ${formatDateFr(crf.exercise.end)} : ${euros(c.soldeCahier)}. Arrêtés de l’exercice : ${c.arretes}.`,
    );
  }

  // Subventions.
  heading('Tableau des subventions');
  const ts = crf.totauxSubventions;
  table(
    [
      { header: 'Financeur', width: 1.6 },
      { header: 'Objet', width: 2 },
      { header: 'Chap.', width: 0.6 },
      { header: 'Accordé', width: 1.1, align: 'right' },
      { header: 'Reçu', width: 1.1, align: 'right' },
      { header: 'Dépensé', width: 1.1, align: 'right' },
      { header: 'État', width: 1.2 },
    ],
    crf.subventions.length === 0
      ? []
      : [
          ...crf.subventions.map((s) => ({
            cells: [
              s.financeur,
              s.objet,
              s.chapter,
              euros(s.granted),
              euros(s.received),
              euros(s.spent),
              s.justifiedOn ? `justifiée le ${formatDateFr(s.justifiedOn)}` : SUBSIDY_STATES[s.state],
            ],
          })),
          { cells: ['Total', '', '', euros(ts.granted), euros(ts.received), euros(ts.spent), ''], bold: true },
        ],
    'Aucune subvention.',
  );

  // Inventaire.
  heading('Inventaire');
  table(
    [
      { header: 'Désignation', width: 2.6 },
      { header: 'Acquis le', width: 1 },
      { header: 'Valeur', width: 1.1, align: 'right' },
      { header: 'Lieu', width: 1.4 },
      { header: 'PJ', width: 0.8 },
      { header: 'Sortie', width: 1.6 },
    ],
    crf.inventaire.map((i) => ({
      cells: [
        i.designation,
        formatDateFr(i.acquiredOn),
        euros(i.value),
        i.location ?? '',
        i.pieces.join(', '),
        i.disposedOn ? `${formatDateFr(i.disposedOn)}${i.disposalReason ? ` – ${i.disposalReason}` : ''}` : '',
      ],
    })),
    'Aucun bien inscrit.',
  );

  // Régies.
  heading('Régies d’avance');
  table(
    [
      { header: 'Titulaire', width: 2.4 },
      { header: 'Remis', width: 1.1, align: 'right' },
      { header: 'Dépensé', width: 1.1, align: 'right' },
      { header: 'Rendu', width: 1.1, align: 'right' },
      { header: 'Solde', width: 1.1, align: 'right' },
    ],
    crf.regies.map((g) => ({
      cells: [g.holder, euros(g.given), euros(g.spent), euros(g.returned), euros(g.balance)],
    })),
    'Aucune régie d’avance.',
  );

  // Actions.
  heading('Actions');
  table(
    [
      { header: 'Action', width: 2.6 },
      { header: 'Recettes', width: 1.1, align: 'right' },
      { header: 'Dépenses', width: 1.1, align: 'right' },
      { header: 'Résultat', width: 1.1, align: 'right' },
      { header: 'Lignes', width: 0.7, align: 'right' },
    ],
    crf.actions.map((a) => ({
      cells: [a.action, euros(a.receipts), euros(a.expenses), euros(a.result), String(a.lines)],
    })),
    'Aucune action.',
  );

  // Signatures: the mandataire and the two vérificateurs aux comptes, on one page.
  const boxH = 90;
  ensure(60 + boxH);
  heading('Signatures');
  paragraph(`Certifié exact le compte rendu financier de l’exercice ${label}. Fait à …………………………………, le ……………………`);
  y += 4;
  const signers = ['Le mandataire', 'Vérificateur aux comptes', 'Vérificateur aux comptes'];
  const gap = 10;
  const boxW = (WIDTH - gap * (signers.length - 1)) / signers.length;
  signers.forEach((who, i) => {
    const x = MARGIN + i * (boxW + gap);
    doc.rect(x, y, boxW, boxH).strokeColor('black').lineWidth(0.8).stroke();
    doc.fillColor('black').font(BOLD).fontSize(9);
    text(who, x + 4, y + 4, boxW - 8, 'center');
    doc.font(ITALIC).fontSize(7).fillColor(GREY);
    text('Nom, date et signature', x + 4, y + 16, boxW - 8, 'center');
  });
  y += boxH + 6;

  // Page numbers, once the count is known.
  const range = doc.bufferedPageRange();
  const pages = range.count;
  for (let i = 0; i < pages; i++) {
    doc.switchToPage(range.start + i);
    doc.fillColor('black').font(FONT).fontSize(8);
    doc.text(
      `Compte rendu financier ${crf.coop.number} – Exercice ${label}${crf.provisional ? ' (provisoire)' : ''}`,
      MARGIN,
      PAGE_H - MARGIN,
      { width: WIDTH * 0.75, lineBreak: false },
    );
    doc.text(`Page ${i + 1} / ${pages}`, MARGIN + WIDTH * 0.75, PAGE_H - MARGIN, {
      width: WIDTH * 0.25,
      align: 'right',
      lineBreak: false,
    });
  }
  doc.flushPages();
  doc.end();
  return done;
}
