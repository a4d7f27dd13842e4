/**
 * The side books as the service, the task pane and the workbook exchange them (JSON shapes,
 * amounts in integer cents, dates "YYYY-MM-DD"), and the shape of what each book reports for
 * the closure. The rules that compute these figures live in one pure module per book
 * (caisse.ts, subventions.ts, inventaire.ts, regies.ts, compute.ts for actions).
 */
import type { Cents } from './money';
import type { IsoDate } from './dates';
import type { LineKind } from './kinds';
import type { LineInput } from './line';

/**
 * Something a side book reports about the exercise (the closure blocks on errors): a stable
 * code, a French sentence saying what to do, and the lines concerned (ids).
 */
export interface BookProblem {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  lines: string[];
}

/** A line of the cahier as a side book reads it (a live line with its id). */
export interface BookLine extends LineInput {
  id: string;
}

/** A field of a side book's input that is refused: the JSON path and a French sentence naming it. */
export interface BookFieldError {
  field: string;
  message: string;
}

/** A line of the cahier as a side book shows it. */
export interface LineRef {
  id: string;
  pj: string;
  date: IsoDate;
  libelle: string;
  kind: LineKind;
  /** The amount that concerns the book (e.g. the part ventilated on 7410/7420 or 6800). */
  amount: Cents;
}

// ── Arrêté de caisse ────────────────────────────────────────────────────────────────────

/** PUT …/cash-counts/{date} body: denomination in cents ("5000") → how many. */
export interface CashCountInput {
  counts: Record<string, number>;
}

export interface CashCountJson {
  date: IsoDate;
  counts: Record<string, number>;
  /** What was counted. */
  total: Cents;
  /** The caisse balance of the cahier at the end of that date (validated lines). */
  balance: Cents;
  /** total − balance. */
  gap: Cents;
  ok: boolean;
  version: number;
  updatedBy: string;
  updatedAt: string;
}

// ── Subventions ─────────────────────────────────────────────────────────────────────────

export type SubsidyState = 'a_justifier' | 'justifiee';

/** POST …/subsidies and PUT …/subsidies/{subsidy} body. */
export interface SubsidyInput {
  financeur: string;
  objet: string;
  /** 7410 (collectivités) or 7420 (associations): a chapter of the chart with the subsidy reminder. */
  chapter: string;
  granted: Cents;
  decisionDate: IsoDate | null;
  /** Action tags the subsidy funds. */
  actions: string[];
  state: SubsidyState;
  /** When it was justified (required when state is justifiee). */
  justifiedOn: IsoDate | null;
  note: string | null;
}

export interface SubsidyJson extends SubsidyInput {
  id: number;
  version: number;
  /** The receipt lines attached (their 7410/7420 part). */
  receipts: LineRef[];
  received: Cents;
  /** Expense lines attached as its use. */
  uses: LineRef[];
  /** Expenses attached + expenses of its actions. */
  spent: Cents;
}

/** GET …/subsidies. */
export interface SubsidiesJson {
  subsidies: SubsidyJson[];
  /** 7410/7420 receipts attached to no subsidy. */
  unattached: LineRef[];
  totals: { granted: Cents; received: Cents; spent: Cents };
  problems: BookProblem[];
}

// ── Inventaire ──────────────────────────────────────────────────────────────────────────

/** POST /api/coops/{coop}/inventory and PUT …/inventory/{item} body. */
export interface InventoryItemInput {
  designation: string;
  acquiredOn: IsoDate;
  value: Cents;
  /** Ids of the 6800 lines it comes from (any exercise of the coop). */
  lines: string[];
  location: string | null;
  disposedOn: IsoDate | null;
  disposalReason: string | null;
}

export interface InventoryItemJson extends Omit<InventoryItemInput, 'lines'> {
  id: number;
  version: number;
  lines: (LineRef & { exercise: number })[];
}

/** GET /api/coops/{coop}/inventory: every item of the coop, disposed ones included. */
export interface InventoryJson {
  items: InventoryItemJson[];
  /** Value of the items still held, and of those disposed of. */
  totals: { held: Cents; disposed: Cents };
}

/** GET …/exercises/{year}/inventory: the items held during the exercise and its check. */
export interface InventoryCheckJson {
  items: InventoryItemJson[];
  /** 6800 lines of the exercise with no inventory item. */
  unlisted: LineRef[];
  /** 6800 total of the exercise, value of the items acquired in it. */
  totals: { purchases: Cents; listed: Cents };
  problems: BookProblem[];
}

// ── Régies d'avance ─────────────────────────────────────────────────────────────────────

export interface RegieJson {
  holder: string;
  /** regie_versee lines. */
  given: Cents;
  /** Expenses paid from the régie, per chapter. */
  spent: Cents;
  spentByChapter: { chapter: string; amount: Cents }[];
  /** regie_remboursee lines. */
  returned: Cents;
  /** given − spent − returned: must be back to 0 at the closure. */
  balance: Cents;
  lines: LineRef[];
}

/** GET …/regies. */
export interface RegiesJson {
  regies: RegieJson[];
  problems: BookProblem[];
}

// ── Actions ─────────────────────────────────────────────────────────────────────────────

/** GET …/actions: one per action tag (the Actions sheet's figures). */
export interface ActionJson {
  action: string;
  receipts: Cents;
  expenses: Cents;
  result: Cents;
  lines: number;
}

// ── Pièces justificatives ───────────────────────────────────────────────────────────────

export const ATTACHMENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export interface AttachmentJson {
  id: number;
  lineId: string;
  name: string;
  type: AttachmentType;
  size: number;
  sha256: string;
  createdBy: string;
  createdAt: string;
}

// ── The coop's administrative data ──────────────────────────────────────────────────────

export interface PersonJson {
  name: string;
  email: string | null;
  phone: string | null;
}

/** PATCH /api/coops/{coop} body: any subset; null clears a field. */
export interface CoopAdminInput {
  name?: string;
  school?: string | null;
  address?: string | null;
  mandataire?: PersonJson | null;
  cosignatory?: PersonJson | null;
  bank?: { iban: string; bic: string | null; name: string | null } | null;
  lastStatement?: { date: IsoDate; balance: Cents } | null;
  /** MM-JJ: unpointed bank lines dated before this day of the end year block the closure (default 06-01). */
  pointageThreshold?: string | null;
}

export type CoopAdminField = keyof CoopAdminInput;
export const COOP_ADMIN_FIELDS: readonly CoopAdminField[] = [
  'name',
  'school',
  'address',
  'mandataire',
  'cosignatory',
  'bank',
  'lastStatement',
  'pointageThreshold',
];
/** What a mandataire may edit when the department has said nothing. */
export const DEFAULT_MANDATAIRE_FIELDS: readonly CoopAdminField[] = [
  'school',
  'address',
  'mandataire',
  'cosignatory',
  'lastStatement',
];

export interface CoopJson {
  number: string;
  name: string;
  school: string | null;
  department: string;
  address: string | null;
  mandataire: PersonJson | null;
  cosignatory: PersonJson | null;
  bank: { iban: string; bic: string | null; name: string | null } | null;
  lastStatement: { date: IsoDate; balance: Cents } | null;
  /** MM-JJ (null: the default, 06-01). */
  pointageThreshold: string | null;
  /** The fields the requesting user may change. */
  editable: CoopAdminField[];
}
