/**
 * The columns of the cahier sheet, in order, with their letters. Left page: the operation
 * (A–O, keeping the OCCE Excel cahier's letters B = N° PJ, D = Date, E = Libellé,
 * F = N° chèque, G = Action); right page: the automatic-ventilation choice and one column per
 * chapter; then the control columns and two hidden columns that tie a row to the service.
 *
 * Every part reads this: the template builder, the add-in's adapter, export and import.
 */
import { chapterChoice, DEFAULT_CHART, orderChart, type Chapter, type Chart } from './chapters';
import { MOVEMENT_KEYS, SIGNATURES, KINDS, signatureMask, movementBit, type MovementKey } from './kinds';
import type { LineField } from './line';

export type Page = 'gauche' | 'droite' | 'controle' | 'technique';
export type ColumnType = 'status' | 'text' | 'date' | 'amount' | 'list' | 'pointage' | 'formula' | 'technical';

export interface ColumnSpec {
  key: string;
  /** French header, unique in the table (no [ ] # ' characters: structured references). */
  header: string;
  type: ColumnType;
  page: Page;
  /** Group header shown above (Banque, Caisse, Charges…). */
  group?: string;
  width: number;
  /** The JSON field of a line this column carries. */
  field?: LineField;
  movement?: MovementKey;
  chapter?: Chapter;
  /** Typed by the treasurer (false: computed by a formula or written by the add-in). */
  input: boolean;
  hidden?: boolean;
  /** Number format (Excel syntax, en-US codes; displayed in the user's locale). */
  numFmt?: string;
  /** Help shown on the header. */
  note?: string;
}

export interface CahierColumn extends ColumnSpec {
  /** 0-based position. */
  index: number;
  letter: string;
}

export const SHEETS = {
  cahier: 'Cahier',
  coop: 'Coopérative',
  chapitres: 'Chapitres',
  compteRendu: 'Compte rendu',
  caisse: 'Caisse',
  subventions: 'Subventions',
  inventaire: 'Inventaire',
  regies: 'Régies',
  actions: 'Actions',
} as const;

/** The Excel Table of the cahier's lines. */
export const TABLE_NAME = 'Ecritures';

/** Workbook names the formulas use (cells of the Coopérative and Chapitres sheets). */
export const NAMES = {
  coopNom: 'Coop_Nom',
  coopNumero: 'Coop_Numero',
  coopDepartement: 'Coop_Departement',
  coopEcole: 'Coop_Ecole',
  exerciceAnnee: 'Exercice_Annee',
  exerciceDebut: 'Exercice_Debut',
  exerciceFin: 'Exercice_Fin',
  ranBanque: 'RAN_Banque',
  ranCaisse: 'RAN_Caisse',
  releveDate: 'Releve_Date',
  releveSolde: 'Releve_Solde',
  listeChapitres: 'Liste_Chapitres',
  listeModes: 'Liste_Modes',
  listeActions: 'Liste_Actions',
} as const;

export const TITLE_ROWS = 3;
export const HEADER_ROW = 4;
export const FIRST_DATA_ROW = 5;

export const AMOUNT_FORMAT = '#,##0.00\\ "€";[Red]\\-#,##0.00\\ "€"';
export const DATE_FORMAT = 'dd/mm/yyyy';

export const POINTED_MARK = 'X';

/** Letters of a 0-based column index: 0 → A, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

export function chapterKey(code: string): string {
  return `ch_${code}`;
}

const MOVEMENT_HEADERS: Record<MovementKey, { header: string; group: string }> = {
  banque_recettes: { header: 'Banque recettes', group: 'Banque (512)' },
  banque_depenses: { header: 'Banque dépenses', group: 'Banque (512)' },
  caisse_recettes: { header: 'Caisse recettes', group: 'Caisse (530)' },
  caisse_depenses: { header: 'Caisse dépenses', group: 'Caisse (530)' },
  regie_recettes: { header: 'Régie avances', group: 'Régie d’avance' },
  regie_depenses: { header: 'Régie dépenses', group: 'Régie d’avance' },
};

function specs(chart: Chart): ColumnSpec[] {
  const left: ColumnSpec[] = [
    { key: 'status', header: 'Statut', type: 'status', page: 'gauche', width: 14, input: false },
    { key: 'pj', header: 'N° PJ', type: 'text', page: 'gauche', width: 7, field: 'pj', input: true },
    {
      key: 'nature',
      header: 'Nature',
      type: 'formula',
      page: 'gauche',
      width: 16,
      field: 'kind',
      input: false,
      note: 'Calculée d’après les colonnes de montant remplies.',
    },
    {
      key: 'date',
      header: 'Date',
      type: 'date',
      page: 'gauche',
      width: 11,
      field: 'date',
      input: true,
      numFmt: DATE_FORMAT,
    },
    {
      key: 'libelle',
      header: 'Libellé',
      type: 'text',
      page: 'gauche',
      width: 38,
      field: 'libelle',
      input: true,
      note: 'Qui – quoi (ex. : Pépinières Dupont – Facture n°45899 – fleurs).',
    },
    { key: 'cheque', header: 'N° chèque', type: 'text', page: 'gauche', width: 11, field: 'cheque', input: true },
    { key: 'action', header: 'Action', type: 'list', page: 'gauche', width: 16, field: 'action', input: true },
    { key: 'mode', header: 'Mode', type: 'list', page: 'gauche', width: 12, field: 'mode', input: true },
    ...MOVEMENT_KEYS.map((m): ColumnSpec => ({
      key: m,
      header: MOVEMENT_HEADERS[m].header,
      group: MOVEMENT_HEADERS[m].group,
      type: 'amount',
      page: 'gauche',
      width: 12,
      field: 'amount',
      movement: m,
      input: true,
      numFmt: AMOUNT_FORMAT,
    })),
    {
      key: 'holder',
      header: 'Titulaire régie',
      group: MOVEMENT_HEADERS.regie_depenses.group,
      type: 'text',
      page: 'gauche',
      width: 14,
      field: 'holder',
      input: true,
      note: 'Régie d’avance : l’enseignant qui la tient (obligatoire sur les lignes de régie).',
    },
    {
      key: 'pointage',
      header: 'Pointage',
      type: 'pointage',
      page: 'gauche',
      width: 9,
      input: false,
      note: `${POINTED_MARK} : ligne vue sur un relevé bancaire.`,
    },
  ];
  const right: ColumnSpec[] = [
    {
      key: 'chapitre',
      header: 'Chapitre',
      type: 'list',
      page: 'droite',
      width: 18,
      input: true,
      note: 'Ventilation automatique : choisissez un chapitre, le montant va dans sa colonne.',
    },
    ...orderChart(chart).map((c): ColumnSpec => ({
      key: chapterKey(c.code),
      header: `${c.code} ${c.label}`,
      group: c.side === 'charge' ? 'Charges' : 'Produits',
      type: 'amount',
      page: 'droite',
      width: 12,
      field: 'ventilation',
      chapter: c,
      input: true,
      numFmt: AMOUNT_FORMAT,
      note: c.description,
    })),
  ];
  const control: ColumnSpec[] = [
    {
      key: 'ecart',
      header: 'Écart de ventilation',
      type: 'formula',
      page: 'controle',
      width: 12,
      input: false,
      numFmt: AMOUNT_FORMAT,
      note: 'Montant moins ventilation : doit être 0.',
    },
    {
      key: 'solde_banque',
      header: 'Solde banque',
      type: 'formula',
      page: 'controle',
      width: 13,
      input: false,
      numFmt: AMOUNT_FORMAT,
    },
    {
      key: 'solde_caisse',
      header: 'Solde caisse',
      type: 'formula',
      page: 'controle',
      width: 13,
      input: false,
      numFmt: AMOUNT_FORMAT,
    },
    { key: 'id', header: 'Identifiant', type: 'technical', page: 'technique', width: 10, input: false, hidden: true },
    { key: 'version', header: 'Version', type: 'technical', page: 'technique', width: 6, input: false, hidden: true },
  ];
  return [...left, ...right, ...control];
}

export interface CahierLayout {
  chart: Chart;
  columns: CahierColumn[];
  byKey: Map<string, CahierColumn>;
  movementColumns: CahierColumn[];
  chapterColumns: CahierColumn[];
  chargeColumns: CahierColumn[];
  produitColumns: CahierColumn[];
  first: CahierColumn;
  last: CahierColumn;
  /** Last column of the left page (printed as the left page). */
  leftEnd: CahierColumn;
}

export function cahierLayout(chart: Chart = DEFAULT_CHART): CahierLayout {
  const columns = specs(chart).map((s, index) => ({ ...s, index, letter: columnLetter(index) }));
  const byKey = new Map(columns.map((c) => [c.key, c]));
  const chapterColumns = columns.filter((c) => c.chapter);
  return {
    chart,
    columns,
    byKey,
    movementColumns: columns.filter((c) => c.movement),
    chapterColumns,
    chargeColumns: chapterColumns.filter((c) => c.chapter!.side === 'charge'),
    produitColumns: chapterColumns.filter((c) => c.chapter!.side === 'produit'),
    first: columns[0]!,
    last: columns[columns.length - 1]!,
    leftEnd: columns.filter((c) => c.page === 'gauche').pop()!,
  };
}

export function col(layout: CahierLayout, key: string): CahierColumn {
  const c = layout.byKey.get(key);
  if (!c) throw new Error(`colonne inconnue : ${key}`);
  return c;
}

function cells(layout: CahierLayout, keys: readonly string[], row: number): string {
  return keys.map((k) => `$${col(layout, k).letter}${row}`).join(',');
}

function span(columns: readonly CahierColumn[], row: number): string {
  return `${columns[0]!.letter}${row}:${columns[columns.length - 1]!.letter}${row}`;
}

const RECETTE_KEYS = MOVEMENT_KEYS.filter((k) => k.endsWith('_recettes'));
const DEPENSE_KEYS = MOVEMENT_KEYS.filter((k) => k.endsWith('_depenses'));

/**
 * The formulas of one row (A1 references, English function names, comma separators: the form
 * both OOXML and Office.js `range.formulas` take). Chapter columns get the automatic-ventilation
 * formula, which a typed amount replaces (visualisation classique).
 */
/**
 * The mark that opens the Statut of a draft (`statusText`: « ✗ » and its first problem). Drafts
 * are named, not counted: every sum of the sheet leaves out the rows whose Statut starts with it
 * (SUMIFS with the criterion `"<>✗*"`: wildcards are Excel's, and LibreOffice turns them on for
 * every .xlsx it opens, so both compute the same figures).
 */
export const DRAFT_MARK = '✗';

export function rowFormulas(layout: CahierLayout, row: number): Record<string, string> {
  const mv = span(layout.movementColumns, row);
  const mask = MOVEMENT_KEYS.map((k) => `(N($${col(layout, k).letter}${row})<>0)*${movementBit(k)}`).join('+');
  const masks = SIGNATURES.map(signatureMask).join(',');
  const labels = SIGNATURES.map((s) => `"${KINDS[s.kind].label}"`).join(',');
  const net = `(SUM(${cells(layout, RECETTE_KEYS, row)})-SUM(${cells(layout, DEPENSE_KEYS, row)}))`;
  const choice = `$${col(layout, 'chapitre').letter}${row}`;
  const ventilated = `(SUM(${span(layout.produitColumns, row)})-SUM(${span(layout.chargeColumns, row)}))`;
  const anything = `COUNT(${mv},${span(layout.chapterColumns, row)})`;
  const b = (k: string) => col(layout, k).letter;
  const first = FIRST_DATA_ROW;
  // The running balance: the column's counted rows (drafts left out) from the first to this one.
  const status = b('status');
  const upTo = (k: string) =>
    `SUMIFS(${b(k)}$${first}:${b(k)}${row},$${status}$${first}:$${status}${row},"<>${DRAFT_MARK}*")`;
  const f: Record<string, string> = {
    nature: `IF(${mask}=0,"",IFERROR(INDEX({${labels}},MATCH(${mask},{${masks}},0)),"?"))`,
    ecart: `IF(${anything}=0,"",ROUND(${net}-${ventilated},2))`,
    solde_banque: `IF(COUNT(${mv})=0,"",ROUND(${NAMES.ranBanque}+${upTo('banque_recettes')}-${upTo('banque_depenses')},2))`,
    solde_caisse: `IF(COUNT(${mv})=0,"",ROUND(${NAMES.ranCaisse}+${upTo('caisse_recettes')}-${upTo('caisse_depenses')},2))`,
  };
  for (const c of layout.chapterColumns) {
    const code = c.chapter!.code;
    const sign = c.chapter!.side === 'produit' ? net : `-${net}`;
    f[c.key] = `IF(LEFT(${choice}&" ",${code.length + 1})="${code} ",${sign},"")`;
  }
  return f;
}

/** Keys of the columns that always hold a formula. */
export const FORMULA_KEYS = ['nature', 'ecart', 'solde_banque', 'solde_caisse'] as const;

/** The list entries of the automatic-ventilation column. */
export function chapterChoices(chart: Chart): string[] {
  return orderChart(chart).map(chapterChoice);
}
