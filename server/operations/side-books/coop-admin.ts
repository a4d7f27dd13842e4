/**
 * The coop's administrative data (school, address, mandataire and co-signatory, bank account,
 * last bank statement), kept by the department: its trésorier and the admins change every
 * field; a mandataire changes those the department allows (its settings, `mandataireFields`).
 * Every change is audited in its transaction, with the fields' values before and after.
 */
import type { Transaction } from 'sequelize';
import {
  COOP_ADMIN_FIELDS,
  DEFAULT_MANDATAIRE_FIELDS,
  type CoopAdminField,
  type CoopAdminInput,
  type CoopJson,
  type PersonJson,
} from '../../../templates/definition';
import type { Db } from '../../db/connect';
import type { CoopRow, Models } from '../../db/models';
import { coopFor, type Principal } from '../access';
import type { AuditJson } from '../changes';
import { auditJson } from '../changes';
import { notFound, ServiceError } from '../errors';
import { auditSideBook } from '../side-book-audit';

/** What each field is called in French, in the messages. */
export const COOP_ADMIN_LABELS: Readonly<Record<CoopAdminField, string>> = {
  name: 'nom de la coopérative',
  school: 'école',
  address: 'adresse',
  mandataire: 'mandataire',
  cosignatory: 'co-signataire',
  bank: 'coordonnées bancaires',
  lastStatement: 'dernier relevé bancaire',
  pointageThreshold: 'date des lignes bancaires anciennes non pointées',
};

export interface DepartmentSettings {
  /** The fields of their coop a mandataire may change. */
  mandataireFields: CoopAdminField[];
}

type DepartmentRow = InstanceType<Models['Department']>;
type AdminData = Omit<CoopJson, 'number' | 'department' | 'editable'>;

const isField = (f: unknown): f is CoopAdminField => (COOP_ADMIN_FIELDS as readonly unknown[]).includes(f);

/** A stored JSON document (TEXT), or {} when absent or unreadable. */
function parseObject(text: string | null | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const obj = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

function person(v: unknown): PersonJson | null {
  const o = obj(v);
  const name = str(o?.name);
  return o && name ? { name, email: str(o.email), phone: str(o.phone) } : null;
}

/** A day of the year, MM-JJ (as 06-01), or null. */
const monthDay = (v: unknown): string | null =>
  typeof v === 'string' && /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(v) ? v : null;

/**
 * The day before which unpointed bank lines of the exercise block its closure: the coop's MM-JJ
 * in the exercise (September–December of the start year, January–August of the end year), or
 * undefined for the default (1 June).
 */
export function pointageThresholdOf(coop: Pick<CoopRow, 'admin'>, year: number): string | undefined {
  const md = monthDay(parseObject(coop.admin).pointageThreshold);
  if (!md) return undefined;
  return `${Number(md.slice(0, 2)) >= 9 ? year : year + 1}-${md}`;
}

/** The last bank statement entered by hand in the coop's data (its date and balance), or null. */
export function enteredStatement(coop: Pick<CoopRow, 'admin'>): AdminData['lastStatement'] {
  const last = obj(parseObject(coop.admin).lastStatement);
  const date = str(last?.date);
  return last && date && Number.isSafeInteger(Number(last.balance)) ? { date, balance: Number(last.balance) } : null;
}

/** The stored data read with the keys in a fixed order (so two readings compare as JSON). */
function adminData(coop: Pick<CoopRow, 'name' | 'school' | 'admin'>): AdminData {
  const a = parseObject(coop.admin);
  const bank = obj(a.bank);
  const iban = str(bank?.iban);
  return {
    name: coop.name,
    school: coop.school ?? null,
    address: str(a.address),
    mandataire: person(a.mandataire),
    cosignatory: person(a.cosignatory),
    bank: bank && iban ? { iban, bic: str(bank.bic), name: str(bank.name) } : null,
    lastStatement: enteredStatement(coop),
    pointageThreshold: monthDay(a.pointageThreshold),
  };
}

export function departmentSettings(dep: Pick<DepartmentRow, 'settings'> | null): DepartmentSettings {
  const s = parseObject(dep?.settings);
  const fields = Array.isArray(s.mandataireFields) ? s.mandataireFields.filter(isField) : null;
  return { mandataireFields: ordered(fields ?? DEFAULT_MANDATAIRE_FIELDS) };
}

/** Fields without repeats, in the order of the contract. */
const ordered = (fields: readonly CoopAdminField[]) => COOP_ADMIN_FIELDS.filter((f) => fields.includes(f));

/** What the principal may change of a coop they can reach. */
export function editableFields(
  p: Principal,
  coop: Pick<CoopRow, 'departmentCode'>,
  settings: DepartmentSettings,
): CoopAdminField[] {
  if (p.role === 'admin' || (p.role === 'tresorier' && p.departmentCode === coop.departmentCode)) {
    return [...COOP_ADMIN_FIELDS];
  }
  return p.role === 'mandataire' ? [...settings.mandataireFields] : [];
}

function coopJson(coop: CoopRow, editable: CoopAdminField[]): CoopJson {
  return { number: coop.number, ...adminData(coop), department: coop.departmentCode, editable };
}

const settingsOf = async (db: Db, code: string, t?: Transaction) =>
  departmentSettings(await db.models.Department.findByPk(code, { transaction: t }));

/** GET /api/coops/{coop}: everything the coop's page shows, and what the user may change. */
export async function coopDetail(db: Db, p: Principal, number: string): Promise<CoopJson> {
  const coop = await coopFor(db, p, number);
  const settings = p.role === 'mandataire' ? await settingsOf(db, coop.departmentCode) : departmentSettings(null);
  return coopJson(coop, editableFields(p, coop, settings));
}

/**
 * Applies a PATCH (already validated and normalised): the fields present replace the stored
 * ones, null clears. A field the user may not change is refused (403 naming it) unless it is
 * sent unchanged, so a form sent back whole is accepted. Nothing changes: no write, no audit.
 */
export async function updateCoopAdmin(db: Db, p: Principal, number: string, input: CoopAdminInput): Promise<CoopJson> {
  const reached = await coopFor(db, p, number);
  return db.write(async (t) => {
    const coop = await db.models.Coop.findByPk(reached.id, { transaction: t, lock: t.LOCK.UPDATE });
    if (!coop) throw notFound(`La coopérative ${number} est introuvable (ou vous n’y avez pas accès).`);
    const editable = editableFields(p, coop, await settingsOf(db, coop.departmentCode, t));
    const before = adminData(coop);
    const after: AdminData = { ...before };
    const changed: CoopAdminField[] = [];
    for (const field of COOP_ADMIN_FIELDS) {
      const value = input[field];
      if (value === undefined || JSON.stringify(value) === JSON.stringify(before[field])) continue;
      (after as Record<CoopAdminField, unknown>)[field] = value;
      changed.push(field);
    }
    const refused = changed.filter((f) => !editable.includes(f));
    if (refused.length) throw refusedFields(refused, coop.departmentCode);
    if (!changed.length) return coopJson(coop, editable);

    const { name, school, ...rest } = after;
    const stored = { ...parseObject(coop.admin), ...rest };
    await coop.update({ name, school, admin: JSON.stringify(stored) }, { transaction: t });
    const pick = (d: AdminData) => Object.fromEntries(changed.map((f) => [f, d[f]]));
    await auditSideBook(db, t, p, {
      coopId: coop.id,
      exerciseId: null,
      book: 'coop',
      recordId: coop.number,
      action: 'update',
      before: pick(before),
      after: pick(after),
    });
    return coopJson(coop, editable);
  });
}

function refusedFields(fields: CoopAdminField[], department: string): ServiceError {
  const names = fields.map((f) => `${COOP_ADMIN_LABELS[f]} (${f})`).join(', ');
  return new ServiceError(
    403,
    'champ_reserve',
    `Vous ne pouvez pas modifier : ${names}. Le département ${department} réserve ${
      fields.length > 1 ? 'ces champs' : 'ce champ'
    } à son trésorier : demandez-lui la modification.`,
    {
      errors: fields.map((f) => ({
        field: f,
        message: `${COOP_ADMIN_LABELS[f]} : modifiable par le trésorier départemental seulement`,
      })),
    },
  );
}

export interface CoopHistoryEntry extends AuditJson {
  /** coop: the coop's data; departement: what the department lets its mandataires change. */
  book: 'coop' | 'departement';
}

/** The changes of the coop's data and of its department's rules, oldest first. */
export async function coopHistory(db: Db, p: Principal, number: string): Promise<CoopHistoryEntry[]> {
  const coop = await coopFor(db, p, number);
  const rows = await db.models.SideBookAudit.findAll({
    where: { coopId: coop.id, book: ['coop', 'departement'] },
    order: [['id', 'ASC']],
  });
  return rows.map((a) => ({ book: a.book as 'coop' | 'departement', ...auditJson(a.get()) }));
}

// ── The department's settings ───────────────────────────────────────────────────────────

/** The department, for its trésorier and the admins; anyone else finds nothing there. */
async function departmentFor(db: Db, p: Principal, code: string, t?: Transaction): Promise<DepartmentRow> {
  const mine = p.role === 'admin' || (p.role === 'tresorier' && p.departmentCode === code);
  const dep = mine
    ? await db.models.Department.findByPk(code, { transaction: t, ...(t ? { lock: t.LOCK.UPDATE } : {}) })
    : null;
  if (!dep) throw notFound(`Le département ${code} est introuvable (ou vous n’y avez pas accès).`);
  return dep;
}

export async function getDepartmentSettings(db: Db, p: Principal, code: string): Promise<DepartmentSettings> {
  return departmentSettings(await departmentFor(db, p, code));
}

/**
 * Sets what the department's mandataires may change. The change is audited in the history of
 * each coop of the department (it changes what their mandataire may do), in one transaction.
 */
export async function putDepartmentSettings(
  db: Db,
  p: Principal,
  code: string,
  input: { mandataireFields: readonly string[] },
): Promise<DepartmentSettings> {
  const unknown = input.mandataireFields.filter((f) => !isField(f));
  if (unknown.length) {
    const message = `mandataireFields : champ inconnu ${unknown.join(', ')} (possibles : ${COOP_ADMIN_FIELDS.join(', ')})`;
    throw new ServiceError(422, 'donnees_invalides', message, { errors: [{ field: 'mandataireFields', message }] });
  }
  await departmentFor(db, p, code);
  return db.write(async (t) => {
    const dep = await departmentFor(db, p, code, t);
    const before = departmentSettings(dep);
    const after: DepartmentSettings = { mandataireFields: ordered(input.mandataireFields.filter(isField)) };
    if (JSON.stringify(before) === JSON.stringify(after)) return after;
    await dep.update({ settings: JSON.stringify({ ...parseObject(dep.settings), ...after }) }, { transaction: t });
    const coops = await db.models.Coop.findAll({
      where: { departmentCode: code },
      order: [['id', 'ASC']],
      transaction: t,
    });
    for (const coop of coops) {
      await auditSideBook(db, t, p, {
        coopId: coop.id,
        exerciseId: null,
        book: 'departement',
        recordId: code,
        action: 'update',
        before,
        after,
      });
    }
    return after;
  });
}
