/**
 * La version imprimable du cahier: the paper book in PDF (A4 landscape). For each sheet of
 * lines, the left page (the operations: PJ, date, libellé, chèque, action, mode, banque, caisse,
 * régie, pointage) then the right page (one column per chapter, charges then produits) for the
 * same lines. Every page ends with its column totals « À reporter » and the next one begins
 * with them as « Report »; the last sheet ends with the totals of the exercise. Drafts are
 * printed in grey, marked « (brouillon) », and left out of the totals (only validated lines
 * count in the cahier's figures).
 *
 * Pure but for the PDF library: plain values in, bytes out. Columns come from the one
 * definition of the cahier (cahierLayout).
 */
import PDFDocument from 'pdfkit';
import {
  balances,
  cahierLayout,
  exerciseBounds,
  exerciseLabel,
  formatDateFr,
  formatEuros,
  isCounted,
  movementCells,
  KINDS,
  MODE_LABELS,
  POINTED_MARK,
  type CahierColumn,
  type CahierLine,
  type Cents,
  type Chart,
  type LineStatus,
  type Opening,
} from '../../../templates/definition';

/** A line as printed: the cahier's line and its status (absent: validated). */
export interface PrintableLine extends CahierLine {
  status?: LineStatus;
}

export interface CahierPdfInput {
  coop: { number: string; name: string };
  /** Starting year of the exercise (2025 for 2025-2026). */
  exercise: number;
  chart: Chart;
  /** In the cahier's order (date, then PJ). */
  lines: readonly PrintableLine[];
  /** Report à nouveau, printed under the title of the first sheet and in the final balances. */
  opening?: Opening;
  linesPerPage?: number;
}

export const LINES_PER_PAGE = 30;

/** Sheets of lines (at least one, even for an empty cahier); each sheet prints two pages. */
export function cahierSheetCount(lineCount: number, linesPerPage = LINES_PER_PAGE): number {
  return Math.max(1, Math.ceil(lineCount / linesPerPage));
}

export function cahierPageCount(lineCount: number, linesPerPage = LINES_PER_PAGE): number {
  return 2 * cahierSheetCount(lineCount, linesPerPage);
}

/** 123456 → "1 234,56" (the € is in the headers; a plain space, which every PDF font has). */
export function printedAmount(cents: Cents): string {
  return formatEuros(cents)
    .replace(/\u00a0€$/, '')
    .replace(/\u202f/g, ' ');
}

export function cahierFileName(coop: string, exercise: number): string {
  return `cahier-${coop}-${exerciseLabel(exercise)}.pdf`;
}

// Layout, in points (A4 landscape: 841.89 × 595.28).
const MARGIN = 28;
const PAGE_W = 841.89;
const PAGE_H = 595.28;
const TABLE_W = PAGE_W - 2 * MARGIN;
const TABLE_TOP = 74;
const GROUP_H = 10;
const HEAD_H = 26;
const ROW_H = 13;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const ITALIC = 'Helvetica-Oblique';
const GREY = '#808080';
const RULE = '#b0b0b0';

type Align = 'left' | 'right' | 'center';

interface PrintColumn {
  key: string;
  header: string;
  group?: string;
  width: number;
  align: Align;
  /** A column summed in the totals (an amount). */
  summed: boolean;
  cell(line: PrintableLine): string;
  /** Value added to the totals (amount columns). */
  value?(line: PrintableLine): Cents;
}

const LEFT_WIDTHS: Record<string, number> = {
  pj: 28,
  date: 44,
  cheque: 38,
  action: 62,
  mode: 46,
  pointage: 34,
};
const AMOUNT_W = 46;

function leftColumns(chart: Chart): PrintColumn[] {
  const layout = cahierLayout(chart);
  const byKey = (k: string): CahierColumn => layout.byKey.get(k)!;
  const text = (k: string, cell: (l: PrintableLine) => string, align: Align = 'left'): PrintColumn => ({
    key: k,
    header: byKey(k).header,
    width: LEFT_WIDTHS[k] ?? 0,
    align,
    summed: false,
    cell,
  });
  const cols: PrintColumn[] = [
    text('pj', (l) => l.pj),
    text('date', (l) => formatDateFr(l.date)),
    text('libelle', (l) => (isCounted(l) ? l.libelle : `${l.libelle} (brouillon)`)),
    text('cheque', (l) => l.cheque ?? ''),
    text('action', (l) => l.action ?? ''),
    text('mode', (l) => (l.mode ? MODE_LABELS[l.mode] : '')),
  ];
  for (const c of layout.movementColumns) {
    const m = c.movement!;
    const value = (l: PrintableLine) => movementCells(l.kind, l.account, l.amount)[m] ?? 0;
    cols.push({
      key: c.key,
      header: `${c.header} €`,
      group: c.group,
      width: AMOUNT_W,
      align: 'right',
      summed: true,
      value,
      cell: (l) => {
        const v = value(l);
        return v === 0 ? '' : printedAmount(v);
      },
    });
  }
  cols.push(text('pointage', (l) => (l.pointed ? POINTED_MARK : ''), 'center'));
  const fixed = cols.reduce((s, c) => s + c.width, 0);
  cols.find((c) => c.key === 'libelle')!.width = TABLE_W - fixed;
  return cols;
}

function rightColumns(chart: Chart): PrintColumn[] {
  const layout = cahierLayout(chart);
  const pjW = 84;
  const chapters = layout.chapterColumns;
  const width = (TABLE_W - pjW) / chapters.length;
  const cols: PrintColumn[] = [
    {
      key: 'pj',
      header: layout.byKey.get('pj')!.header,
      width: pjW,
      align: 'left',
      summed: false,
      cell: (l) => (isCounted(l) ? l.pj : `${l.pj} (brouillon)`),
    },
  ];
  for (const c of chapters) {
    const code = c.chapter!.code;
    const value = (l: PrintableLine) =>
      KINDS[l.kind].ventilated ? l.ventilation.filter((p) => p.chapter === code).reduce((s, p) => s + p.amount, 0) : 0;
    cols.push({
      key: c.key,
      header: c.header,
      group: c.group,
      width,
      align: 'right',
      summed: true,
      value,
      cell: (l) => {
        const v = value(l);
        return v === 0 ? '' : printedAmount(v);
      },
    });
  }
  return cols;
}

type Totals = Map<string, Cents>;

function addTotals(columns: readonly PrintColumn[], totals: Totals, lines: readonly PrintableLine[]): Totals {
  const next = new Map(totals);
  for (const line of lines) {
    if (!isCounted(line)) continue;
    for (const c of columns) if (c.value) next.set(c.key, (next.get(c.key) ?? 0) + c.value(line));
  }
  return next;
}

/** Cuts a text to a width, with an ellipsis. */
function fit(doc: PDFKit.PDFDocument, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let s = text;
  while (s.length > 0 && doc.widthOfString(`${s}…`) > width) s = s.slice(0, -1);
  return `${s}…`;
}

function cellText(doc: PDFKit.PDFDocument, text: string, x: number, y: number, width: number, align: Align): void {
  if (!text) return;
  const t = fit(doc, text, width - 4);
  doc.text(t, x + 2, y, { width: width - 4, align, lineBreak: false });
}

interface PageSpec {
  side: 'gauche' | 'droite';
  columns: PrintColumn[];
  lines: readonly PrintableLine[];
  /** Carried from the previous sheet (null on the first). */
  report: Totals | null;
  /** At the bottom: « À reporter » or, on the last sheet, the totals of the exercise. */
  bottom: { label: string; totals: Totals };
}

export function cahierPdf(input: CahierPdfInput): Promise<Buffer> {
  const perPage = input.linesPerPage ?? LINES_PER_PAGE;
  const sheets = cahierSheetCount(input.lines.length, perPage);
  const pageCount = 2 * sheets;
  const label = exerciseLabel(input.exercise);
  const left = leftColumns(input.chart);
  const right = rightColumns(input.chart);
  const hasDrafts = input.lines.some((l) => !isCounted(l));

  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    autoFirstPage: false,
    info: {
      Title: `Cahier de comptabilité – ${input.coop.name} – Exercice ${label}`,
      Author: input.coop.name,
      Subject: 'Version imprimable du cahier',
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  let page = 0;
  const drawPage = (spec: PageSpec, sheet: number) => {
    page += 1;
    doc.addPage({ size: 'A4', layout: 'landscape', margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: 0 } });
    // Header: the coop, the exercise, which page of the book.
    doc.fillColor('black').font(BOLD).fontSize(11);
    doc.text(`${input.coop.name} – n° ${input.coop.number}`, MARGIN, MARGIN, {
      width: TABLE_W * 0.65,
      lineBreak: false,
    });
    doc.text(`Exercice ${label}`, MARGIN + TABLE_W * 0.65, MARGIN, { width: TABLE_W * 0.35, align: 'right' });
    doc.font(FONT).fontSize(8);
    const what =
      spec.side === 'gauche' ? 'page de gauche : les opérations' : 'page de droite : la ventilation par chapitre';
    doc.text(`Cahier de comptabilité – feuille ${sheet} / ${sheets}, ${what}`, MARGIN, MARGIN + 16, {
      width: TABLE_W,
      lineBreak: false,
    });
    if (sheet === 1 && spec.side === 'gauche' && input.opening) {
      const b = exerciseBounds(input.exercise);
      doc.text(
        `Report à nouveau au ${formatDateFr(b.start)} : banque ${printedAmount(input.opening.banque)} €, caisse ${printedAmount(input.opening.caisse)} €`,
        MARGIN,
        MARGIN + 28,
        { width: TABLE_W, lineBreak: false },
      );
    }

    // Column headers: the groups (Banque, Caisse…, Charges, Produits), then each column.
    const xs: number[] = [];
    let x = MARGIN;
    for (const c of spec.columns) {
      xs.push(x);
      x += c.width;
    }
    doc.font(BOLD).fontSize(7);
    for (let i = 0; i < spec.columns.length;) {
      const g = spec.columns[i]!.group;
      let j = i;
      let w = 0;
      while (j < spec.columns.length && spec.columns[j]!.group === g) w += spec.columns[j++]!.width;
      if (g) {
        doc.text(g, xs[i]! + 2, TABLE_TOP + 1, { width: w - 4, align: 'center', lineBreak: false });
        doc
          .moveTo(xs[i]!, TABLE_TOP)
          .lineTo(xs[i]! + w, TABLE_TOP)
          .strokeColor(RULE)
          .lineWidth(0.5)
          .stroke();
      }
      i = j;
    }
    const headTop = TABLE_TOP + GROUP_H;
    doc.font(BOLD).fontSize(spec.side === 'gauche' ? 7 : 6);
    spec.columns.forEach((c, i) => {
      doc.text(c.header, xs[i]! + 2, headTop + 2, {
        width: c.width - 4,
        height: HEAD_H - 2,
        align: c.align === 'right' ? 'right' : 'left',
        ellipsis: true,
      });
    });

    // Rows: the report, the lines, the bottom totals.
    let y = headTop + HEAD_H;
    const rule = (at: number, width = 0.5) =>
      doc
        .moveTo(MARGIN, at)
        .lineTo(MARGIN + TABLE_W, at)
        .strokeColor(RULE)
        .lineWidth(width)
        .stroke();
    rule(y, 0.8);
    const totalsRow = (text: string, totals: Totals) => {
      doc.fillColor('black').font(BOLD).fontSize(7);
      const firstSummed = spec.columns.findIndex((c) => c.summed);
      const labelWidth = xs[firstSummed]! - MARGIN;
      cellText(doc, text, MARGIN, y + 3, labelWidth, 'left');
      spec.columns.forEach((c, i) => {
        if (c.summed) cellText(doc, printedAmount(totals.get(c.key) ?? 0), xs[i]!, y + 3, c.width, 'right');
      });
      y += ROW_H;
      rule(y, 0.8);
    };
    if (spec.report) totalsRow('Report', spec.report);
    for (const line of spec.lines) {
      const draft = !isCounted(line);
      doc
        .fillColor(draft ? GREY : 'black')
        .font(draft ? ITALIC : FONT)
        .fontSize(7);
      spec.columns.forEach((c, i) => cellText(doc, c.cell(line), xs[i]!, y + 3, c.width, c.align));
      y += ROW_H;
      rule(y, 0.3);
    }
    totalsRow(spec.bottom.label, spec.bottom.totals);
    const tableBottom = y;
    // Column rules.
    doc.strokeColor(RULE).lineWidth(0.3);
    for (const cx of [...xs, MARGIN + TABLE_W]) doc.moveTo(cx, headTop).lineTo(cx, tableBottom).stroke();

    if (sheet === sheets && spec.side === 'gauche' && input.opening) {
      const b = balances(input.lines.filter(isCounted), input.opening);
      const end = exerciseBounds(input.exercise).end;
      doc.fillColor('black').font(FONT).fontSize(8);
      doc.text(
        `Soldes au ${formatDateFr(end)} : banque ${printedAmount(b.banque)} €, caisse ${printedAmount(b.caisse)} €, régies ${printedAmount(b.regie)} €`,
        MARGIN,
        tableBottom + 8,
        { width: TABLE_W, lineBreak: false },
      );
    }

    // Footer: the drafts' note and the page number.
    doc.fillColor('black').font(FONT).fontSize(7);
    if (hasDrafts)
      doc.text(
        'Les lignes en gris marquées « (brouillon) » ne sont pas encore validées : elles ne comptent pas dans les totaux.',
        MARGIN,
        PAGE_H - MARGIN,
        { width: TABLE_W * 0.8, lineBreak: false },
      );
    doc.text(`Page ${page} / ${pageCount}`, MARGIN + TABLE_W * 0.8, PAGE_H - MARGIN, {
      width: TABLE_W * 0.2,
      align: 'right',
      lineBreak: false,
    });
  };

  let leftTotals: Totals = new Map();
  let rightTotals: Totals = new Map();
  for (let s = 1; s <= sheets; s++) {
    const lines = input.lines.slice((s - 1) * perPage, s * perPage);
    const last = s === sheets;
    const bottomLabel = last ? 'Totaux de l’exercice' : 'À reporter';
    const nextLeft = addTotals(left, leftTotals, lines);
    const nextRight = addTotals(right, rightTotals, lines);
    drawPage(
      {
        side: 'gauche',
        columns: left,
        lines,
        report: s === 1 ? null : leftTotals,
        bottom: { label: bottomLabel, totals: nextLeft },
      },
      s,
    );
    drawPage(
      {
        side: 'droite',
        columns: right,
        lines,
        report: s === 1 ? null : rightTotals,
        bottom: { label: bottomLabel, totals: nextRight },
      },
      s,
    );
    leftTotals = nextLeft;
    rightTotals = nextRight;
  }
  doc.end();
  return done;
}
