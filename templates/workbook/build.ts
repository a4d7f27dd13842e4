/**
 * Builds the cahier workbook from the definition: the template (`cahier template`), and any
 * coop's cahier filled with its lines (export). Nothing here is drawn by hand: columns,
 * headers, lists and formulas all come from templates/definition.
 */
import ExcelJS from 'exceljs';
import {
  AMOUNT_FORMAT,
  CHAPTER_SIDE_LABELS,
  DATE_FORMAT,
  DEFAULT_CHART,
  DENOMINATIONS,
  DRAFT_MARK,
  FIRST_DATA_ROW,
  HEADER_ROW,
  KINDS,
  MODES,
  MODE_LABELS,
  NAMES,
  POINTED_MARK,
  SHEETS,
  SUBSIDY_STATES,
  SUBSIDY_STATE_LABELS,
  TABLE_NAME,
  cahierLayout,
  centsToEuros,
  chapterChoice,
  chapterKey,
  col,
  columnLetter,
  dateToSerial,
  emptyRow,
  exerciseLabel,
  lineToRow,
  orderChart,
  reminderChapters,
  touchesRegie,
  type CashCountEntry,
  type CahierLayout,
  type CahierLine,
  type Chart,
  type InventoryEntry,
  type IsoDate,
  type LineKind,
  type Opening,
  type RowExtras,
  type SheetCell,
  type SubsidyEntry,
} from '../definition';
import { finalizeXlsx } from './finalize';

export interface CoopInfo {
  nom: string;
  numero: string;
  departement: string;
  ecole?: string;
}

export interface WorkbookLine extends CahierLine, RowExtras {}

export interface WorkbookInput {
  coop: CoopInfo;
  exercise: number;
  opening: Opening;
  chart?: Chart;
  lines?: readonly WorkbookLine[];
  /** Rows of the cahier table (at least the lines + 50); default 300. */
  rows?: number;
  releve?: { date: IsoDate | null; solde: number | null };
  /** The arrêtés de caisse of the exercise (GET …/cash-counts); the latest fills the counting grid. */
  cashCounts?: readonly CashCountEntry[];
  /** The tableau des subventions (GET …/subsidies). */
  subsidies?: readonly SubsidyEntry[];
  /** The items held during the exercise (GET …/exercises/{year}/inventory). */
  inventory?: readonly InventoryEntry[];
  /** Action tags offered in the Action list (those used by the lines are added). */
  actions?: readonly string[];
}

export const DEFAULT_ROWS = 300;
const SIDE_ROWS = 20;

const COLORS = {
  gauche: 'FFDCE6F1',
  droite: 'FFE2EFDA',
  controle: 'FFEDEDED',
  technique: 'FFEDEDED',
  input: 'FFFFF2CC',
  title: 'FF1F4E78',
  bad: 'FFFFC7CE',
  badText: 'FF9C0006',
} as const;

type Cell = ExcelJS.Cell;
const fill = (argb: string): ExcelJS.Fill => ({ type: 'pattern', pattern: 'solid', fgColor: { argb } });
const thin: Partial<ExcelJS.Borders> = {
  top: { style: 'thin', color: { argb: 'FFBFBFBF' } },
  bottom: { style: 'thin', color: { argb: 'FFBFBFBF' } },
  left: { style: 'thin', color: { argb: 'FFBFBFBF' } },
  right: { style: 'thin', color: { argb: 'FFBFBFBF' } },
};

function title(ws: ExcelJS.Worksheet, address: string, value: ExcelJS.CellValue): void {
  const c = ws.getCell(address);
  c.value = value;
  c.font = { bold: true, size: 14, color: { argb: COLORS.title } };
}

function label(c: Cell, text: string, bold = false): void {
  c.value = text;
  if (bold) c.font = { bold: true };
}

/** A cell where users type a name (régie holder, action): yellow, text format. */
function textInput(c: Cell): void {
  c.fill = fill(COLORS.input);
  c.numFmt = TEXT_FORMAT;
}

function inputCell(c: Cell, value: ExcelJS.CellValue, numFmt?: string): void {
  c.value = value;
  c.fill = fill(COLORS.input);
  c.border = thin;
  if (numFmt) c.numFmt = numFmt;
}

/** Data validation over a range (the library supports ranges; its typings omit the collection). */
function validate(ws: ExcelJS.Worksheet, range: string, rule: ExcelJS.DataValidation): void {
  (ws as unknown as { dataValidations: { add(a: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(
    range,
    rule,
  );
}

function formula(c: Cell, f: string, numFmt = AMOUNT_FORMAT, bold = false): void {
  c.value = { formula: f };
  c.numFmt = numFmt;
  if (bold) c.font = { bold: true };
}

function named(wb: ExcelJS.Workbook, sheet: string, address: string, name: string): void {
  const [colPart, rowPart] = [address.replace(/\d+/g, ''), address.replace(/[A-Z]+/g, '')];
  wb.definedNames.add(`'${sheet}'!$${colPart}$${rowPart}`, name);
}

const euros = (cents: number | null | undefined): number | null =>
  cents === null || cents === undefined ? null : centsToEuros(cents);
const serial = (date: IsoDate | null | undefined): number | null => (date ? dateToSerial(date) : null);

/** The holders named by the régie lines, each once (as first written), in French order. */
function regieHolders(lines: readonly CahierLine[]): string[] {
  const byKey = new Map<string, string>();
  for (const l of lines) {
    const holder = (l.holder ?? '').trim().replace(/\s+/g, ' ');
    if (holder && touchesRegie(l) && !byKey.has(holder.toLocaleLowerCase('fr'))) {
      byKey.set(holder.toLocaleLowerCase('fr'), holder);
    }
  }
  return [...byKey.values()].sort((a, b) => a.localeCompare(b, 'fr'));
}

/** A structured reference to a column of the cahier table. */
export function tableRef(layout: CahierLayout, key: string): string {
  return `${TABLE_NAME}[${col(layout, key).header}]`;
}

/** The criterion pair of SUMIFS / COUNTIFS that leaves out the drafts (DRAFT_MARK). */
export function countedRows(layout: CahierLayout): string {
  return `${tableRef(layout, 'status')},"<>${DRAFT_MARK}*"`;
}

/** The total of a column of the cahier table over the counted (non-draft) rows. */
export function countedSum(layout: CahierLayout, key: string): string {
  return `SUMIFS(${tableRef(layout, key)},${countedRows(layout)})`;
}

/**
 * Text typed by users (libellé, action, chèque, names…) is written as a string, never a
 * formula (the library writes a string value as a shared string, whatever its first
 * character); the text number format « @ » keeps it text when the treasurer edits the cell, so
 * a libellé starting with =, +, -, @ is never evaluated (formula injection).
 */
export const TEXT_FORMAT = '@';
const TEXT_KEYS = ['pj', 'libelle', 'cheque', 'action', 'holder'] as const;

export async function buildCahierWorkbook(input: WorkbookInput): Promise<Buffer> {
  const chart = input.chart ?? DEFAULT_CHART;
  const layout = cahierLayout(chart);
  const lines = input.lines ?? [];
  const rows = Math.max(input.rows ?? DEFAULT_ROWS, lines.length + 50);

  const wb = new ExcelJS.Workbook();
  wb.creator = 'Cahier Coop';
  wb.title = `Cahier de comptabilité ${exerciseLabel(input.exercise)}`;
  wb.calcProperties.fullCalcOnLoad = true;

  const cahier = wb.addWorksheet(SHEETS.cahier, {
    properties: { tabColor: { argb: COLORS.title } },
    views: [{ state: 'frozen', xSplit: col(layout, 'libelle').index + 1, ySplit: HEADER_ROW }],
  });
  const coop = wb.addWorksheet(SHEETS.coop);
  const chapitres = wb.addWorksheet(SHEETS.chapitres);
  const cr = wb.addWorksheet(SHEETS.compteRendu);
  const caisse = wb.addWorksheet(SHEETS.caisse);
  const subv = wb.addWorksheet(SHEETS.subventions);
  const inv = wb.addWorksheet(SHEETS.inventaire);
  const regies = wb.addWorksheet(SHEETS.regies);
  const actions = wb.addWorksheet(SHEETS.actions);

  buildCoopSheet(wb, coop, input);
  buildChapitresSheet(wb, chapitres, chart);
  const actionNames = [
    ...new Set([...(input.actions ?? []), ...lines.map((l) => l.action?.trim() ?? '').filter(Boolean)]),
  ].sort((a, b) => a.localeCompare(b, 'fr'));
  buildActionsSheet(wb, actions, layout, actionNames);
  const lastRow = buildCahierSheet(cahier, layout, lines, rows);
  const totals = buildCompteRenduSheet(cr, layout);
  buildCaisseSheet(caisse, layout, input.cashCounts ?? []);
  buildSubventionsSheet(subv, layout, input.subsidies ?? []);
  buildInventaireSheet(inv, layout, input.inventory ?? []);
  buildRegiesSheet(regies, layout, regieHolders(lines));

  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  const left = `'${SHEETS.cahier}'!$A$1:$${layout.leftEnd.letter}$${lastRow}`;
  const rightStart = col(layout, 'chapitre').letter;
  const right = `'${SHEETS.cahier}'!$${rightStart}$1:$${col(layout, 'solde_caisse').letter}$${lastRow}`;
  return finalizeXlsx(buffer, {
    totalsFormulas: { [TABLE_NAME]: totals },
    printAreas: { 0: [left, right] },
  });
}

function buildCoopSheet(wb: ExcelJS.Workbook, ws: ExcelJS.Worksheet, input: WorkbookInput): void {
  ws.columns = [{ width: 34 }, { width: 30 }, { width: 50 }];
  title(ws, 'A1', 'Coopérative scolaire');
  const rows: [string, string, ExcelJS.CellValue, string | undefined, string, boolean][] = [
    ['A3', 'Nom de la coopérative', input.coop.nom, TEXT_FORMAT, NAMES.coopNom, true],
    ['A4', 'N° d’affiliation OCCE', input.coop.numero, TEXT_FORMAT, NAMES.coopNumero, true],
    ['A5', 'Département', input.coop.departement, TEXT_FORMAT, NAMES.coopDepartement, true],
    ['A6', 'École', input.coop.ecole ?? '', TEXT_FORMAT, NAMES.coopEcole, true],
    ['A8', 'Exercice (année de début)', input.exercise, '0', NAMES.exerciceAnnee, true],
    ['A13', 'Report à nouveau – banque', euros(input.opening.banque), AMOUNT_FORMAT, NAMES.ranBanque, true],
    ['A14', 'Report à nouveau – caisse', euros(input.opening.caisse), AMOUNT_FORMAT, NAMES.ranCaisse, true],
    ['A17', 'Date du dernier relevé bancaire', serial(input.releve?.date), DATE_FORMAT, NAMES.releveDate, true],
    ['A18', 'Solde du relevé bancaire', euros(input.releve?.solde), AMOUNT_FORMAT, NAMES.releveSolde, true],
  ];
  for (const [address, text, value, numFmt, name] of rows) {
    const r = Number(address.slice(1));
    label(ws.getCell(address), text);
    inputCell(ws.getCell(`B${r}`), value, numFmt);
    named(wb, SHEETS.coop, `B${r}`, name);
  }
  label(ws.getCell('A9'), 'Début de l’exercice');
  formula(ws.getCell('B9'), `DATE(${NAMES.exerciceAnnee},9,1)`, DATE_FORMAT);
  named(wb, SHEETS.coop, 'B9', NAMES.exerciceDebut);
  label(ws.getCell('A10'), 'Fin de l’exercice');
  formula(ws.getCell('B10'), `DATE(${NAMES.exerciceAnnee}+1,8,31)`, DATE_FORMAT);
  named(wb, SHEETS.coop, 'B10', NAMES.exerciceFin);
  label(ws.getCell('A11'), 'Exercice');
  formula(ws.getCell('B11'), `${NAMES.exerciceAnnee}&"-"&(${NAMES.exerciceAnnee}+1)`, '@');
  label(ws.getCell('A15'), 'Report à nouveau – total', true);
  formula(ws.getCell('B15'), `ROUND(${NAMES.ranBanque}+${NAMES.ranCaisse},2)`, AMOUNT_FORMAT, true);
  ws.getCell('C13').value = 'Soldes au 1er septembre (fin de l’exercice précédent).';
  ws.getCell('C17').value = 'Pour le rapprochement bancaire du compte rendu.';
  ws.getCell('C3').value = 'Les cases jaunes sont à remplir.';
}

function buildChapitresSheet(wb: ExcelJS.Workbook, ws: ExcelJS.Worksheet, chart: Chart): void {
  const ordered = orderChart(chart);
  title(ws, 'A1', 'Plan de ventilation (chapitres)');
  ws.columns = [{ width: 9 }, { width: 30 }, { width: 10 }, { width: 80 }, { width: 34 }, { width: 3 }, { width: 16 }];
  ws.addTable({
    name: 'Plan',
    ref: 'A3',
    headerRow: true,
    style: { theme: 'TableStyleLight9', showRowStripes: true },
    columns: [{ name: 'Code' }, { name: 'Libellé' }, { name: 'Sens' }, { name: 'Contenu' }, { name: 'Choix' }],
    rows: ordered.map((c) => [c.code, c.label, CHAPTER_SIDE_LABELS[c.side], c.description, chapterChoice(c)]),
  });
  wb.definedNames.add(`'${SHEETS.chapitres}'!$E$4:$E$${3 + ordered.length}`, NAMES.listeChapitres);
  label(ws.getCell('G3'), 'Modes', true);
  MODES.forEach((m, i) => (ws.getCell(`G${4 + i}`).value = MODE_LABELS[m]));
  wb.definedNames.add(`'${SHEETS.chapitres}'!$G$4:$G$${3 + MODES.length}`, NAMES.listeModes);
}

/** The number format and alignment of a column's cells (rows and totals). */
function cellStyle(c: CahierLayout['columns'][number]): Partial<ExcelJS.Style> | undefined {
  const numFmt = c.numFmt ?? ((TEXT_KEYS as readonly string[]).includes(c.key) ? TEXT_FORMAT : undefined);
  const style: Partial<ExcelJS.Style> = {
    ...(numFmt ? { numFmt } : {}),
    ...(c.type === 'pointage' ? { alignment: { horizontal: 'center' } } : {}),
  };
  return Object.keys(style).length ? style : undefined;
}

function buildCahierSheet(
  ws: ExcelJS.Worksheet,
  layout: CahierLayout,
  lines: readonly WorkbookLine[],
  rows: number,
): number {
  const first = FIRST_DATA_ROW;
  const last = first + rows - 1;
  const data: SheetCell[][] = [];
  for (let i = 0; i < rows; i++) {
    const line = lines[i];
    const row = first + i;
    data.push(line ? lineToRow(layout, line, row, line) : emptyRow(layout, row));
  }

  const totals: Record<string, string> = {
    solde_banque: `ROUND(${NAMES.ranBanque}+${countedSum(layout, 'banque_recettes')}-${countedSum(layout, 'banque_depenses')},2)`,
    solde_caisse: `ROUND(${NAMES.ranCaisse}+${countedSum(layout, 'caisse_recettes')}-${countedSum(layout, 'caisse_depenses')},2)`,
  };
  // Column totals leave the drafts out, like the compte rendu (a SUBTOTAL would count them).
  for (const c of layout.columns) {
    if (c.type === 'amount' || c.key === 'ecart') totals[c.key] = `ROUND(${countedSum(layout, c.key)},2)`;
  }
  ws.addTable({
    name: TABLE_NAME,
    ref: `A${HEADER_ROW}`,
    headerRow: true,
    totalsRow: true,
    style: { theme: 'TableStyleLight1', showRowStripes: true },
    columns: layout.columns.map((c, i) => ({
      name: c.header,
      filterButton: c.type !== 'technical',
      // The table's format of the column (new rows typed below take it); the library also copies
      // it into each cell of the column as it stores the rows.
      style: cellStyle(c),
      ...(i === 0
        ? { totalsRowLabel: 'Totaux' }
        : totals[c.key]
          ? { totalsRowFunction: 'custom' as const, totalsRowFormula: totals[c.key]! }
          : {}),
    })),
    rows: data as ExcelJS.CellValue[][],
  });
  // The cells of the rows: one style object per column, shared (the writer resolves a style
  // object once, not once per cell as for the copies the library made); nothing sets the style
  // of a row's cell afterwards (the header and totals rows keep their own).
  const styles = layout.columns.map((c) => cellStyle(c) ?? {});
  for (let r = first; r <= last; r++) {
    const row = ws.getRow(r);
    styles.forEach((style, i) => (row.getCell(i + 1).style = style));
  }

  // Titles above the table: the cahier, then the two pages, then the groups.
  const titleCell = ws.getCell('A1');
  titleCell.value = {
    formula: `"Cahier de comptabilité – "&${NAMES.coopNom}&" – exercice "&${NAMES.exerciceAnnee}&"-"&(${NAMES.exerciceAnnee}+1)&" – report à nouveau : banque "&TEXT(${NAMES.ranBanque},"0.00")&" €, caisse "&TEXT(${NAMES.ranCaisse},"0.00")&" €"`,
  };
  titleCell.font = { bold: true, size: 14, color: { argb: COLORS.title } };
  const pages: [string, string][] = [
    ['gauche', 'Page de gauche – opérations financières'],
    ['droite', 'Page de droite – ventilation comptable'],
    ['controle', 'Contrôle'],
  ];
  for (const [page, text] of pages) {
    const cols = layout.columns.filter((c) => c.page === page);
    mergeLabel(ws, 2, cols[0]!.letter, cols[cols.length - 1]!.letter, text, COLORS[page as 'gauche']);
  }
  const groups = new Map<string, string[]>();
  for (const c of layout.columns) if (c.group) groups.set(c.group, [...(groups.get(c.group) ?? []), c.letter]);
  for (const [group, letters] of groups) {
    const page = layout.columns.find((c) => c.group === group)!.page;
    mergeLabel(ws, 3, letters[0]!, letters[letters.length - 1]!, group, COLORS[page as 'gauche']);
  }

  for (const c of layout.columns) {
    const column = ws.getColumn(c.index + 1);
    column.width = c.width;
    if (c.hidden) column.hidden = true;
    const header = ws.getCell(`${c.letter}${HEADER_ROW}`);
    header.font = { bold: true };
    header.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
    header.fill = fill(COLORS[c.page]);
    if (c.note) header.note = c.note;
  }
  ws.getRow(HEADER_ROW).height = 45;
  ws.getCell(`${col(layout, 'status').letter}${last + 1}`).font = { bold: true };

  addCahierValidations(ws, layout, first, last);

  const ecart = col(layout, 'ecart').letter;
  ws.addConditionalFormatting({
    ref: `A${first}:${layout.last.letter}${last}`,
    rules: [
      {
        type: 'expression',
        priority: 1,
        formulae: [`AND(ISNUMBER($${ecart}${first}),$${ecart}${first}<>0)`],
        style: {
          fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: COLORS.bad } },
          font: { color: { argb: COLORS.badText } },
        },
      },
    ],
  });

  ws.pageSetup = {
    paperSize: 9,
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    printTitlesRow: `1:${HEADER_ROW}`,
    printTitlesColumn: `${col(layout, 'pj').letter}:${col(layout, 'pj').letter}`,
    margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
  };
  ws.headerFooter = {
    oddHeader: '&L&B&A&R&D',
    oddFooter: '&LCahier Coop&RPage &P / &N',
  };
  return last + 1;
}

function mergeLabel(ws: ExcelJS.Worksheet, row: number, from: string, to: string, text: string, color: string): void {
  if (from !== to) ws.mergeCells(`${from}${row}:${to}${row}`);
  const c = ws.getCell(`${from}${row}`);
  c.value = text;
  c.font = { bold: true };
  c.alignment = { horizontal: 'center' };
  c.fill = fill(color);
}

function addCahierValidations(ws: ExcelJS.Worksheet, layout: CahierLayout, first: number, last: number): void {
  const range = (key: string) => `${col(layout, key).letter}${first}:${col(layout, key).letter}${last}`;
  const pj = col(layout, 'pj').letter;
  validate(ws, range('pj'), {
    type: 'custom',
    allowBlank: true,
    formulae: [`COUNTIF($${pj}$${first}:$${pj}$${last},${pj}${first})=1`],
    showErrorMessage: true,
    errorTitle: 'N° de pièce',
    error: 'Ce numéro de pièce est déjà utilisé dans l’exercice.',
  });
  validate(ws, range('date'), {
    type: 'date',
    operator: 'between',
    allowBlank: true,
    formulae: [NAMES.exerciceDebut, NAMES.exerciceFin],
    showErrorMessage: true,
    errorTitle: 'Date',
    error: 'La date doit être écrite jj/mm/aaaa et se trouver dans l’exercice (du 1er septembre au 31 août).',
    showInputMessage: true,
    promptTitle: 'Date',
    prompt: 'jj/mm/aaaa, dans l’exercice',
  });
  const twoDecimals = (a: string) => `ABS(ROUND(${a},2)-${a})<0.000001`;
  for (const c of layout.movementColumns) {
    const a = `${c.letter}${first}`;
    validate(ws, range(c.key), {
      type: 'custom',
      allowBlank: true,
      formulae: [`AND(ISNUMBER(${a}),${a}>=0,${twoDecimals(a)})`],
      showErrorMessage: true,
      errorTitle: c.header,
      error: 'Montant positif, avec deux décimales au plus (ex. : 45,90).',
    });
  }
  for (const c of layout.chapterColumns) {
    const a = `${c.letter}${first}`;
    validate(ws, range(c.key), {
      type: 'custom',
      allowBlank: true,
      formulae: [`AND(ISNUMBER(${a}),${twoDecimals(a)})`],
      showErrorMessage: true,
      errorTitle: c.header,
      error: 'Montant avec deux décimales au plus ; négatif seulement pour un avoir.',
    });
  }
  const list = (key: string, source: string, strict: boolean, prompt: string) =>
    validate(ws, range(key), {
      type: 'list',
      allowBlank: true,
      formulae: [source],
      showErrorMessage: strict,
      errorTitle: col(layout, key).header,
      error: prompt,
    });
  list('mode', NAMES.listeModes, true, 'Choisissez un mode dans la liste.');
  list('chapitre', NAMES.listeChapitres, true, 'Choisissez un chapitre dans la liste.');
  list('action', NAMES.listeActions, false, 'Action libre ; la liste vient de la feuille Actions.');
  list('pointage', `"${POINTED_MARK}"`, true, `${POINTED_MARK} quand la ligne est vue sur un relevé, vide sinon.`);
}

/** Compte rendu financier. Returns nothing for the table, the totals formulas for finalize. */
function buildCompteRenduSheet(ws: ExcelJS.Worksheet, layout: CahierLayout): Record<string, string> {
  ws.columns = [{ width: 10 }, { width: 42 }, { width: 18 }, { width: 4 }, { width: 40 }];
  title(ws, 'A1', '');
  ws.getCell('A1').value = {
    formula: `"Compte rendu financier – "&${NAMES.coopNom}&" – exercice "&${NAMES.exerciceAnnee}&"-"&(${NAMES.exerciceAnnee}+1)`,
  };
  let r = 3;
  const section = (text: string) => {
    label(ws.getCell(`A${r}`), text, true);
    ws.getCell(`A${r}`).font = { bold: true, size: 12, color: { argb: COLORS.title } };
    r++;
  };
  const sum = (key: string) => countedSum(layout, key);
  section('Compte de fonctionnement');
  const totalRow: Record<'charge' | 'produit', number> = { charge: 0, produit: 0 };
  for (const side of ['charge', 'produit'] as const) {
    label(ws.getCell(`A${r}`), side === 'charge' ? 'Charges' : 'Produits', true);
    r++;
    const start = r;
    for (const c of layout.chapterColumns.filter((x) => x.chapter!.side === side)) {
      ws.getCell(`A${r}`).value = c.chapter!.code;
      ws.getCell(`B${r}`).value = c.chapter!.label;
      formula(ws.getCell(`C${r}`), `ROUND(${sum(c.key)},2)`);
      r++;
    }
    label(ws.getCell(`B${r}`), side === 'charge' ? 'Total des charges' : 'Total des produits', true);
    formula(ws.getCell(`C${r}`), `ROUND(SUM(C${start}:C${r - 1}),2)`, AMOUNT_FORMAT, true);
    totalRow[side] = r;
    r += 2;
  }
  label(ws.getCell(`B${r}`), 'Résultat de l’exercice (produits − charges)', true);
  formula(ws.getCell(`C${r}`), `ROUND(C${totalRow.produit}-C${totalRow.charge},2)`, AMOUNT_FORMAT, true);
  ws.getCell(`E${r}`).value = { formula: `IF(C${r}>=0,"Excédent","Déficit")` };
  const resultRow = r;
  r += 2;

  section('Bilan au 31 août');
  const bilan: [string, string][] = [
    ['Banque', `ROUND(${NAMES.ranBanque}+${sum('banque_recettes')}-${sum('banque_depenses')},2)`],
    ['Caisse', `ROUND(${NAMES.ranCaisse}+${sum('caisse_recettes')}-${sum('caisse_depenses')},2)`],
    ['Régies d’avance non soldées', `ROUND(${sum('regie_recettes')}-${sum('regie_depenses')},2)`],
  ];
  const dispoStart = r;
  for (const [text, f] of bilan) {
    ws.getCell(`B${r}`).value = text;
    formula(ws.getCell(`C${r}`), f);
    r++;
  }
  label(ws.getCell(`B${r}`), 'Total disponible', true);
  formula(ws.getCell(`C${r}`), `ROUND(SUM(C${dispoStart}:C${r - 1}),2)`, AMOUNT_FORMAT, true);
  const dispoRow = r;
  r += 2;
  ws.getCell(`B${r}`).value = 'Report à nouveau (1er septembre)';
  formula(ws.getCell(`C${r}`), `ROUND(${NAMES.ranBanque}+${NAMES.ranCaisse},2)`);
  const ranRow = r++;
  ws.getCell(`B${r}`).value = 'Résultat de l’exercice';
  formula(ws.getCell(`C${r}`), `C${resultRow}`);
  r++;
  label(ws.getCell(`B${r}`), 'Report à nouveau + résultat', true);
  formula(ws.getCell(`C${r}`), `ROUND(C${ranRow}+C${r - 1},2)`, AMOUNT_FORMAT, true);
  const fondsRow = r++;
  label(ws.getCell(`B${r}`), 'Écart (doit être nul)', true);
  formula(ws.getCell(`C${r}`), `ROUND(C${dispoRow}-C${fondsRow},2)`, AMOUNT_FORMAT, true);
  ws.getCell(`E${r}`).value = {
    formula: `IF(C${r}=0,"Bilan équilibré","Bilan déséquilibré : vérifiez les lignes en rouge")`,
  };
  r += 2;

  section('Rapprochement bancaire');
  const pointage = tableRef(layout, 'pointage');
  const rap: [string, string][] = [
    ['Solde du relevé bancaire', `ROUND(N(${NAMES.releveSolde}),2)`],
    [
      '+ recettes non encore pointées',
      `ROUND(SUMIFS(${tableRef(layout, 'banque_recettes')},${pointage},"<>${POINTED_MARK}",${countedRows(layout)}),2)`,
    ],
    [
      '− dépenses non encore pointées (chèques non encaissés…)',
      `ROUND(SUMIFS(${tableRef(layout, 'banque_depenses')},${pointage},"<>${POINTED_MARK}",${countedRows(layout)}),2)`,
    ],
  ];
  const rapStart = r;
  for (const [text, f] of rap) {
    ws.getCell(`B${r}`).value = text;
    formula(ws.getCell(`C${r}`), f);
    r++;
  }
  label(ws.getCell(`B${r}`), 'Solde rapproché', true);
  formula(ws.getCell(`C${r}`), `ROUND(C${rapStart}+C${rapStart + 1}-C${rapStart + 2},2)`, AMOUNT_FORMAT, true);
  const rapRow = r++;
  ws.getCell(`B${r}`).value = 'Solde banque du cahier';
  formula(ws.getCell(`C${r}`), `C${dispoStart}`);
  r++;
  label(ws.getCell(`B${r}`), 'Écart de rapprochement', true);
  formula(ws.getCell(`C${r}`), `ROUND(C${rapRow}-C${r - 1},2)`, AMOUNT_FORMAT, true);
  ws.getCell(`E${r}`).value = {
    formula: `IF(C${r}=0,"Rapprochement juste","Écart : pointez les lignes vues sur le relevé")`,
  };
  ws.pageSetup = { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 };
  return {};
}

const CAISSE_OK = 'Bravo, la caisse est juste !';
const CAISSE_GAP = 'Écart à expliquer : recomptez la caisse ou vérifiez les écritures de caisse.';

/** The cahier's caisse balance at the end of the day in `dateCell` (a live formula over the table). */
function caisseBalanceFormula(layout: CahierLayout, dateCell: string): string {
  const date = tableRef(layout, 'date');
  const rec = tableRef(layout, 'caisse_recettes');
  const dep = tableRef(layout, 'caisse_depenses');
  const counted = countedRows(layout);
  return `ROUND(${NAMES.ranCaisse}+SUMIFS(${rec},${date},"<="&${dateCell},${counted})-SUMIFS(${dep},${date},"<="&${dateCell},${counted}),2)`;
}

/**
 * The arrêté de caisse: the counting grid (filled with the latest count) and, below it, the
 * register of every arrêté of the exercise, each against the cahier's balance on its date.
 */
function buildCaisseSheet(ws: ExcelJS.Worksheet, layout: CahierLayout, counts: readonly CashCountEntry[]): void {
  const sorted = [...counts].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const latest = sorted[sorted.length - 1];
  ws.columns = [
    { width: 20 },
    { width: 13 },
    { width: 15 },
    { width: 13 },
    { width: 48 },
    ...DENOMINATIONS.map(() => ({ width: 9 })),
  ];
  title(ws, 'A1', 'Arrêté de caisse');
  label(ws.getCell('A3'), 'Date du comptage');
  inputCell(ws.getCell('B3'), serial(latest?.date), DATE_FORMAT);
  ['Billet ou pièce', 'Valeur', 'Nombre', 'Total'].forEach((h, i) => label(ws.getRow(5).getCell(i + 1), h, true));
  const start = 6;
  DENOMINATIONS.forEach((d, i) => {
    const r = start + i;
    ws.getCell(`A${r}`).value = d.label;
    ws.getCell(`B${r}`).value = centsToEuros(d.cents);
    ws.getCell(`B${r}`).numFmt = AMOUNT_FORMAT;
    inputCell(ws.getCell(`C${r}`), latest?.counts[String(d.cents)] ?? null, '0');
    formula(ws.getCell(`D${r}`), `ROUND(B${r}*N(C${r}),2)`);
  });
  const end = start + DENOMINATIONS.length - 1;
  const t = end + 2;
  label(ws.getCell(`A${t}`), 'Total compté', true);
  formula(ws.getCell(`D${t}`), `ROUND(SUM(D${start}:D${end}),2)`, AMOUNT_FORMAT, true);
  label(ws.getCell(`A${t + 1}`), 'Solde de caisse du cahier à cette date', true);
  formula(
    ws.getCell(`D${t + 1}`),
    `IF(ISNUMBER(B3),${caisseBalanceFormula(layout, 'B3')},ROUND(${NAMES.ranCaisse}+${countedSum(layout, 'caisse_recettes')}-${countedSum(layout, 'caisse_depenses')},2))`,
    AMOUNT_FORMAT,
    true,
  );
  label(ws.getCell(`A${t + 2}`), 'Écart', true);
  formula(ws.getCell(`D${t + 2}`), `ROUND(D${t}-D${t + 1},2)`, AMOUNT_FORMAT, true);
  ws.getCell(`E${t + 2}`).value = { formula: `IF(D${t + 2}=0,"${CAISSE_OK}","${CAISSE_GAP}")` };

  // The register: date, what was counted (from the counts on the right), the cahier, the gap.
  const head = t + 5;
  const section = ws.getCell(`A${head - 1}`);
  section.value = 'Arrêtés de caisse de l’exercice';
  section.font = { bold: true, size: 12, color: { argb: COLORS.title } };
  const countCol = (i: number) => columnLetter(5 + i);
  const n = Math.max(SIDE_ROWS, sorted.length + 10);
  const rows: SheetCell[][] = Array.from({ length: n }, (_, i) => {
    const r = head + 1 + i;
    const a = sorted[i];
    const dated = (f: string) => ({ formula: `IF(ISNUMBER($A${r}),${f},"")` });
    const counted = DENOMINATIONS.map((d, k) => `N(${countCol(k)}${r})*${centsToEuros(d.cents)}`).join('+');
    return [
      serial(a?.date),
      dated(`ROUND(${counted},2)`),
      dated(caisseBalanceFormula(layout, `$A${r}`)),
      dated(`ROUND(B${r}-C${r},2)`),
      dated(`IF(D${r}=0,"${CAISSE_OK}","${CAISSE_GAP}")`),
      ...DENOMINATIONS.map((d) => a?.counts[String(d.cents)] ?? null),
    ];
  });
  ws.addTable({
    name: 'Arretes',
    ref: `A${head}`,
    headerRow: true,
    style: { theme: 'TableStyleLight9', showRowStripes: true },
    columns: [
      'Date de l’arrêté',
      'Total compté',
      'Solde du cahier',
      'Écart',
      'Résultat',
      ...DENOMINATIONS.map((d) => d.label),
    ].map((name) => ({ name, filterButton: true })),
    rows: rows as ExcelJS.CellValue[][],
  });
  ws.getRow(head).font = { bold: true };
  ws.getRow(head).alignment = { wrapText: true, vertical: 'middle' };
  for (let r = head + 1; r <= head + n; r++) {
    ws.getCell(`A${r}`).numFmt = DATE_FORMAT;
    ws.getCell(`A${r}`).fill = fill(COLORS.input);
    for (const c of ['B', 'C', 'D']) ws.getCell(`${c}${r}`).numFmt = AMOUNT_FORMAT;
    DENOMINATIONS.forEach((_, k) => {
      const cell = ws.getCell(`${countCol(k)}${r}`);
      cell.numFmt = '0';
      cell.fill = fill(COLORS.input);
    });
  }
}

function sideTable(
  ws: ExcelJS.Worksheet,
  name: string,
  headers: { name: string; width: number; numFmt?: string }[],
  rows: SheetCell[][],
): { first: number; last: number } {
  const count = Math.max(SIDE_ROWS, rows.length + 10);
  const padded = [...rows, ...Array.from({ length: count - rows.length }, () => headers.map(() => null))];
  ws.addTable({
    name,
    ref: 'A3',
    headerRow: true,
    style: { theme: 'TableStyleLight9', showRowStripes: true },
    columns: headers.map((h) => ({ name: h.name, filterButton: true })),
    rows: padded as ExcelJS.CellValue[][],
  });
  headers.forEach((h, i) => {
    const column = ws.getColumn(i + 1);
    column.width = h.width;
    if (h.numFmt) column.numFmt = h.numFmt;
    ws.getRow(3).getCell(i + 1).font = { bold: true };
  });
  return { first: 4, last: 3 + count };
}

function buildSubventionsSheet(ws: ExcelJS.Worksheet, layout: CahierLayout, subsidies: readonly SubsidyEntry[]): void {
  title(ws, 'A1', 'Tableau des subventions');
  const states = SUBSIDY_STATES.map((s) => SUBSIDY_STATE_LABELS[s]);
  const { first, last } = sideTable(
    ws,
    'Subventions',
    [
      { name: 'Financeur', width: 26, numFmt: TEXT_FORMAT },
      { name: 'Objet', width: 30, numFmt: TEXT_FORMAT },
      { name: 'Chapitre', width: 10 },
      { name: 'Date de décision', width: 14, numFmt: DATE_FORMAT },
      { name: 'Montant accordé', width: 15, numFmt: AMOUNT_FORMAT },
      { name: 'Montant reçu', width: 15, numFmt: AMOUNT_FORMAT },
      { name: 'Utilisé', width: 15, numFmt: AMOUNT_FORMAT },
      { name: 'État', width: 13 },
      { name: 'Justifiée le', width: 13, numFmt: DATE_FORMAT },
      { name: 'Note', width: 40, numFmt: TEXT_FORMAT },
    ],
    subsidies.map((s) => [
      s.financeur,
      s.objet,
      s.chapter,
      serial(s.decisionDate),
      euros(s.granted),
      euros(s.received),
      euros(s.spent),
      SUBSIDY_STATE_LABELS[s.state],
      serial(s.justifiedOn),
      s.note ?? null,
    ]),
  );
  const codes = reminderChapters(layout.chart, 'subvention');
  validate(ws, `C${first}:C${last}`, {
    type: 'list',
    allowBlank: true,
    formulae: [`"${codes.join(',')}"`],
    showErrorMessage: true,
    error: `Chapitre de subvention : ${codes.join(' ou ')}.`,
  });
  validate(ws, `H${first}:H${last}`, {
    type: 'list',
    allowBlank: true,
    formulae: [`"${states.join(',')}"`],
    showErrorMessage: true,
    error: `${states.join(' ou ')}.`,
  });
  const s = last + 2;
  label(ws.getCell(`B${s}`), 'Subventions reçues selon le tableau', true);
  formula(ws.getCell(`F${s}`), `ROUND(SUM(F${first}:F${last}),2)`, AMOUNT_FORMAT, true);
  label(ws.getCell(`B${s + 1}`), `Subventions encaissées au cahier (${codes.join(' + ')})`, true);
  const cahierSum = codes.map((c) => countedSum(layout, chapterKey(c))).join('+') || '0';
  formula(ws.getCell(`F${s + 1}`), `ROUND(${cahierSum},2)`, AMOUNT_FORMAT, true);
  label(ws.getCell(`B${s + 2}`), 'Écart', true);
  formula(ws.getCell(`F${s + 2}`), `ROUND(F${s + 1}-F${s},2)`, AMOUNT_FORMAT, true);
  ws.getCell(`G${s + 2}`).value = {
    formula: `IF(F${s + 2}=0,"Toutes les subventions sont détaillées","Détaillez chaque subvention reçue")`,
  };
}

function buildInventaireSheet(ws: ExcelJS.Worksheet, layout: CahierLayout, items: readonly InventoryEntry[]): void {
  title(ws, 'A1', 'Cahier d’inventaire des biens durables');
  const { first, last } = sideTable(
    ws,
    'Inventaire',
    [
      { name: 'Désignation', width: 36, numFmt: TEXT_FORMAT },
      { name: 'Date d’acquisition', width: 16, numFmt: DATE_FORMAT },
      { name: 'N° PJ', width: 10, numFmt: TEXT_FORMAT },
      { name: 'Valeur', width: 14, numFmt: AMOUNT_FORMAT },
      { name: 'Lieu', width: 26, numFmt: TEXT_FORMAT },
      { name: 'Date de sortie', width: 14, numFmt: DATE_FORMAT },
      { name: 'Motif de sortie', width: 36, numFmt: TEXT_FORMAT },
    ],
    items.map((i) => [
      i.designation,
      serial(i.acquiredOn),
      i.lines.map((l) => l.pj).join(', ') || null,
      euros(i.value),
      i.location ?? null,
      serial(i.disposedOn),
      i.disposalReason ?? null,
    ]),
  );
  const codes = reminderChapters(layout.chart, 'inventaire');
  const s = last + 2;
  label(ws.getCell(`A${s}`), 'Biens inscrits, acquis dans l’exercice', true);
  formula(
    ws.getCell(`D${s}`),
    `ROUND(SUMIFS(D${first}:D${last},B${first}:B${last},">="&${NAMES.exerciceDebut},B${first}:B${last},"<="&${NAMES.exerciceFin}),2)`,
    AMOUNT_FORMAT,
    true,
  );
  label(ws.getCell(`A${s + 1}`), `Biens durables au cahier (${codes.join(' + ')})`, true);
  formula(
    ws.getCell(`D${s + 1}`),
    `ROUND(${codes.map((c) => countedSum(layout, chapterKey(c))).join('+') || '0'},2)`,
    AMOUNT_FORMAT,
    true,
  );
  label(ws.getCell(`A${s + 2}`), 'Écart', true);
  formula(ws.getCell(`D${s + 2}`), `ROUND(D${s + 1}-D${s},2)`, AMOUNT_FORMAT, true);
  ws.getCell(`G${s + 2}`).numFmt = 'General'; // a formula, in the (text) Motif column
  ws.getCell(`G${s + 2}`).value = {
    formula: `IF(D${s + 2}=0,"Inventaire à jour","Inscrivez au cahier d’inventaire les biens achetés en ${codes.join(', ')}")`,
  };
}

/**
 * The régies d'avance, one row per holder (those of the lines, then free rows to add one): given
 * (Régie versée lines), spent (expenses paid from the régie), returned (Régie remboursée lines:
 * their amount is in the Régie dépenses column, told apart by their Nature) and the balance.
 */
function buildRegiesSheet(ws: ExcelJS.Worksheet, layout: CahierLayout, holders: readonly string[]): void {
  title(ws, 'A1', 'Régies d’avance');
  ws.getCell('A2').value =
    'Une ligne par titulaire (colonne Titulaire régie du cahier) ; chaque régie doit être revenue à zéro à la clôture.';
  const count = Math.max(SIDE_ROWS, holders.length + 10);
  const first = 4;
  const holder = tableRef(layout, 'holder');
  const nature = tableRef(layout, 'nature');
  const sum = (key: string, kind: LineKind, r: number) =>
    `ROUND(SUMIFS(${tableRef(layout, key)},${holder},$A${r},${nature},"${KINDS[kind].label}",${countedRows(layout)}),2)`;
  const named = (r: number, f: string) => ({ formula: `IF($A${r}="","",${f})` });
  const rows: SheetCell[][] = Array.from({ length: count }, (_, i) => {
    const r = first + i;
    return [
      holders[i] ?? null,
      named(r, sum('regie_recettes', 'regie_versee', r)),
      named(r, sum('regie_depenses', 'depense', r)),
      named(r, sum('regie_depenses', 'regie_remboursee', r)),
      named(r, `ROUND(B${r}-C${r}-D${r},2)`),
      named(
        r,
        `IF(E${r}=0,"Régie soldée",IF(E${r}>0,"Régie non soldée : saisissez les dépenses payées avec la régie ou le reliquat rendu (Régie remboursée).","Régie dépassée : les dépenses et le reliquat rendu font plus que l’avance ; vérifiez les montants."))`,
      ),
    ];
  });
  ws.addTable({
    name: 'Regies',
    ref: 'A3',
    headerRow: true,
    style: { theme: 'TableStyleLight9', showRowStripes: true },
    columns: ['Titulaire', 'Versé', 'Dépensé', 'Remboursé', 'Solde', 'Observation'].map((name) => ({
      name,
      filterButton: true,
    })),
    rows: rows as ExcelJS.CellValue[][],
  });
  ws.columns = [{ width: 24 }, { width: 14 }, { width: 14 }, { width: 14 }, { width: 14 }, { width: 70 }];
  for (const c of ['B', 'C', 'D', 'E']) ws.getColumn(c).numFmt = AMOUNT_FORMAT;
  ws.getRow(3).font = { bold: true };
  for (let i = 0; i < count; i++) textInput(ws.getCell(`A${first + i}`));

  const last = first + count - 1;
  const s = last + 2;
  label(ws.getCell(`A${s}`), 'Total des régies ci-dessus', true);
  for (const c of ['B', 'C', 'D', 'E']) {
    formula(ws.getCell(`${c}${s}`), `ROUND(SUM(${c}${first}:${c}${last}),2)`, AMOUNT_FORMAT, true);
  }
  label(ws.getCell(`A${s + 1}`), 'Argent encore en régie selon le cahier', true);
  formula(
    ws.getCell(`E${s + 1}`),
    `ROUND(${countedSum(layout, 'regie_recettes')}-${countedSum(layout, 'regie_depenses')},2)`,
    AMOUNT_FORMAT,
    true,
  );
  ws.getCell(`F${s + 1}`).value = {
    formula: `IF(ROUND(E${s + 1}-E${s},2)=0,IF(E${s + 1}=0,"Toutes les régies sont soldées","Des régies ne sont pas soldées"),"Des lignes de régie ne sont pas comptées ci-dessus : ajoutez leur titulaire dans la colonne Titulaire, ou complétez la colonne Titulaire régie du cahier.")`,
  };
}

function buildActionsSheet(
  wb: ExcelJS.Workbook,
  ws: ExcelJS.Worksheet,
  layout: CahierLayout,
  actions: readonly string[],
): void {
  title(ws, 'A1', 'Récapitulatif par action');
  ws.getCell('A2').value =
    'Inscrivez vos actions dans la première colonne : elles forment la liste de la colonne Action du cahier.';
  const count = Math.max(SIDE_ROWS, actions.length + 10);
  const first = 4;
  const ref = (k: string) => tableRef(layout, k);
  const action = ref('action');
  const nature = ref('nature');
  const receipts = { kind: 'recette', keys: ['banque_recettes', 'caisse_recettes'] } as const;
  const expenses = { kind: 'depense', keys: ['banque_depenses', 'caisse_depenses', 'regie_depenses'] } as const;
  const rows: SheetCell[][] = Array.from({ length: count }, (_, i) => {
    const r = first + i;
    const tagged = (kind: LineKind) => `${action},$A${r},${nature},"${KINDS[kind].label}",${countedRows(layout)}`;
    const sumOf = (side: typeof receipts | typeof expenses) =>
      `ROUND(${side.keys.map((k) => `SUMIFS(${ref(k)},${tagged(side.kind)})`).join('+')},2)`;
    return [
      actions[i] ?? null,
      { formula: `IF($A${r}="","",${sumOf(receipts)})` },
      { formula: `IF($A${r}="","",${sumOf(expenses)})` },
      { formula: `IF($A${r}="","",ROUND(B${r}-C${r},2))` },
      { formula: `IF($A${r}="","",COUNTIFS(${tagged(receipts.kind)})+COUNTIFS(${tagged(expenses.kind)}))` },
    ];
  });
  ws.addTable({
    name: 'Actions',
    ref: 'A3',
    headerRow: true,
    style: { theme: 'TableStyleLight9', showRowStripes: true },
    columns: ['Action', 'Recettes', 'Dépenses', 'Résultat', 'Lignes'].map((name) => ({ name, filterButton: true })),
    rows: rows as ExcelJS.CellValue[][],
  });
  ws.columns = [{ width: 30 }, { width: 15 }, { width: 15 }, { width: 15 }, { width: 9 }];
  for (const c of ['B', 'C', 'D']) ws.getColumn(c).numFmt = AMOUNT_FORMAT;
  ws.getColumn('E').numFmt = '0';
  for (let i = 0; i < count; i++) textInput(ws.getCell(`A${first + i}`));
  wb.definedNames.add(`'${SHEETS.actions}'!$A$${first}:$A$${first + count - 1}`, NAMES.listeActions);
}
