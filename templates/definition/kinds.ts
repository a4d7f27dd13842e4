/**
 * What a line of the cahier does with the money: its kind (nature), the treasury account it
 * touches, and the payment mode. Each kind says which movement columns of the left page it
 * fills; the mapping works both ways (a line → cells, typed cells → a line).
 */
import type { ChapterSide } from './chapters';

export const LINE_KINDS = ['recette', 'depense', 'depot', 'retrait', 'regie_versee', 'regie_remboursee'] as const;
export type LineKind = (typeof LINE_KINDS)[number];

export const ACCOUNTS = ['banque', 'caisse', 'regie'] as const;
export type Account = (typeof ACCOUNTS)[number];

export const MODES = ['cheque', 'virement', 'especes', 'carte', 'prelevement'] as const;
export type Mode = (typeof MODES)[number];

export const ACCOUNT_LABELS: Record<Account, string> = {
  banque: 'Banque (512)',
  caisse: 'Caisse (530)',
  regie: 'Régie d’avance',
};

export const MODE_LABELS: Record<Mode, string> = {
  cheque: 'Chèque',
  virement: 'Virement',
  especes: 'Espèces',
  carte: 'Carte',
  prelevement: 'Prélèvement',
};

/** A movement column of the left page: an account and a direction. */
export type Direction = 'recettes' | 'depenses';
export interface Movement {
  account: Account;
  direction: Direction;
}
export type MovementKey = `${Account}_${Direction}`;
export const MOVEMENT_KEYS: readonly MovementKey[] = ACCOUNTS.flatMap((a) =>
  (['recettes', 'depenses'] as const).map((d) => `${a}_${d}` as MovementKey),
);
export function movementKey(m: Movement): MovementKey {
  return `${m.account}_${m.direction}`;
}

export interface KindDefinition {
  kind: LineKind;
  label: string;
  /** Ventilated lines go to chapters; internal operations (transfers, régie) do not. */
  ventilated: boolean;
  /** The side of the chart the line normally goes to. */
  side?: ChapterSide;
  /** The accounts the JSON field `account` may take for this kind. */
  accounts: readonly Account[];
  /** The movement columns the line fills, given its account. */
  movements(account: Account): Movement[];
  help: string;
}

const out = (account: Account): Movement => ({ account, direction: 'depenses' });
const into = (account: Account): Movement => ({ account, direction: 'recettes' });

export const KINDS: Record<LineKind, KindDefinition> = {
  recette: {
    kind: 'recette',
    label: 'Recette',
    ventilated: true,
    side: 'produit',
    accounts: ['banque', 'caisse'],
    movements: (a) => [into(a)],
    help: 'Argent reçu en banque ou en caisse, ventilé sur des chapitres de produits (7…).',
  },
  depense: {
    kind: 'depense',
    label: 'Dépense',
    ventilated: true,
    side: 'charge',
    accounts: ['banque', 'caisse', 'regie'],
    movements: (a) => [out(a)],
    help: 'Argent payé par la banque, la caisse ou une régie d’avance, ventilé sur des chapitres de charges (6…).',
  },
  depot: {
    kind: 'depot',
    label: 'Dépôt d’espèces',
    ventilated: false,
    accounts: ['banque'],
    movements: () => [out('caisse'), into('banque')],
    help: 'Espèces de la caisse déposées à la banque (opération interne, non ventilée).',
  },
  retrait: {
    kind: 'retrait',
    label: 'Retrait d’espèces',
    ventilated: false,
    accounts: ['banque'],
    movements: () => [out('banque'), into('caisse')],
    help: 'Espèces retirées de la banque pour la caisse (opération interne, non ventilée).',
  },
  regie_versee: {
    kind: 'regie_versee',
    label: 'Régie versée',
    ventilated: false,
    accounts: ['banque', 'caisse'],
    movements: (a) => [out(a), into('regie')],
    help: 'Avance remise à un enseignant (régie d’avance, 150 € au plus), non ventilée.',
  },
  regie_remboursee: {
    kind: 'regie_remboursee',
    label: 'Régie remboursée',
    ventilated: false,
    accounts: ['banque', 'caisse'],
    movements: (a) => [out('regie'), into(a)],
    help: 'Reliquat non dépensé d’une régie d’avance rendu à la banque ou à la caisse, non ventilé.',
  },
};

/** Ceiling of a régie d'avance (OCCE practice). */
export const REGIE_CEILING_CENTS = 15_000;

export interface Signature {
  kind: LineKind;
  account: Account;
  keys: MovementKey[];
}

/** Every (kind, account) pair with the set of movement columns it fills. */
export const SIGNATURES: readonly Signature[] = LINE_KINDS.flatMap((kind) =>
  KINDS[kind].accounts.map((account) => ({
    kind,
    account,
    keys: KINDS[kind].movements(account).map(movementKey),
  })),
);

export type MovementCells = Partial<Record<MovementKey, number>>;

/** The left-page cells of a line: the amount in each column it fills. */
export function movementCells(kind: LineKind, account: Account, amount: number): MovementCells {
  const cells: MovementCells = {};
  for (const m of KINDS[kind].movements(account)) cells[movementKey(m)] = amount;
  return cells;
}

/**
 * Reads the movement columns typed in a row: which kind of line they make. Null when the
 * filled columns match no kind (two unrelated amounts, or none).
 */
export function signatureOf(cells: MovementCells): Signature | null {
  const filled = MOVEMENT_KEYS.filter((k) => (cells[k] ?? 0) !== 0).sort();
  return (
    SIGNATURES.find((s) => s.keys.length === filled.length && [...s.keys].sort().every((k, i) => k === filled[i])) ??
    null
  );
}

/** Bit of each movement column in the mask the workbook formula computes. */
export function movementBit(key: MovementKey): number {
  return 1 << MOVEMENT_KEYS.indexOf(key);
}
export function signatureMask(s: Signature): number {
  return s.keys.reduce((mask, k) => mask | movementBit(k), 0);
}

export function isLineKind(v: unknown): v is LineKind {
  return typeof v === 'string' && (LINE_KINDS as readonly string[]).includes(v);
}
export function isAccount(v: unknown): v is Account {
  return typeof v === 'string' && (ACCOUNTS as readonly string[]).includes(v);
}
export function isMode(v: unknown): v is Mode {
  return typeof v === 'string' && (MODES as readonly string[]).includes(v);
}
/** "Chèque" / "cheque" → "cheque". */
export function modeFromLabel(text: unknown): Mode | null {
  if (typeof text !== 'string') return null;
  const t = text.trim().toLowerCase();
  if (isMode(t)) return t;
  const found = MODES.find((m) => MODE_LABELS[m].toLowerCase() === t);
  return found ?? null;
}

/** True when the line moves money in or out of the bank account: it can be pointed. */
export function touchesBank(line: { kind: LineKind; account: Account }): boolean {
  return KINDS[line.kind].movements(line.account).some((m) => m.account === 'banque');
}

/** True when the line gives, spends or returns a régie d'avance: it names the régie's holder. */
export function touchesRegie(line: { kind: LineKind; account: Account }): boolean {
  return KINDS[line.kind].movements(line.account).some((m) => m.account === 'regie');
}
