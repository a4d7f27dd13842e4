/**
 * The coop's administrative data (PATCH /api/coops/{coop}, its history) and what a department
 * lets its mandataires change (GET/PUT /api/departments/{code}/settings). The schemas check and
 * normalise what a user types: the IBAN by its key, the BIC, e-mail addresses, phone numbers.
 */
import { z } from 'zod';
import {
  addDays,
  checkBic,
  checkIban,
  COOP_ADMIN_FIELDS,
  isIsoDate,
  type CoopAdminInput,
} from '../../../templates/definition';
import {
  coopHistory,
  getDepartmentSettings,
  putDepartmentSettings,
  updateCoopAdmin,
} from '../../operations/side-books/coop-admin';
import type { Route } from '../context';
import { cleanString, forbiddenCharacter } from '../schemas';
import { COMMON_ERRORS, CoopParam, problem } from './shared';

const FIELD = z.enum(COOP_ADMIN_FIELDS as [string, ...string[]]);

/** Trimmed text of at most `max` characters; empty or blank clears the field (null). */
const optionalText = (what: string, max: number) =>
  cleanString(what)
    .max(max, { error: `${what} : ${max} caractères au plus` })
    .transform((s) => s.trim() || null)
    .nullable()
    .optional();

/** Trimmed text that may not be empty. */
const requiredText = (what: string, max: number) =>
  z
    .string({ error: (i) => (i.input == null ? `${what} : obligatoire` : `${what} : texte attendu`) })
    .superRefine((value, ctx) => {
      const bad = forbiddenCharacter(value);
      if (bad) ctx.addIssue({ code: 'custom', message: `${what} : ${bad}` });
      else if (!value.trim()) ctx.addIssue({ code: 'custom', message: `${what} : obligatoire` });
    })
    .max(max, { error: `${what} : ${max} caractères au plus` })
    .transform((s) => s.trim());

/** A postal address: several lines allowed (a line break is the one control character kept). */
const Address = z
  .string({ error: 'adresse : texte attendu' })
  .max(500, { error: 'adresse : 500 caractères au plus' })
  .superRefine((value, ctx) => {
    const bad = forbiddenCharacter(value.replace(/\r?\n|\r/g, ''));
    if (bad) ctx.addIssue({ code: 'custom', message: `adresse : ${bad}` });
  })
  .transform(
    (s) =>
      s
        .split(/\r?\n|\r/)
        .map((l) => l.trim())
        .filter(Boolean)
        .join('\n') || null,
  )
  .meta({ description: 'adresse postale (plusieurs lignes permises)', examples: ['12 rue des Écoles\n87000 Limoges'] });

const EMAIL = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[A-Za-z]{2,}$/;

const Email = (what: string) =>
  cleanString(what)
    .max(254, { error: `${what} : 254 caractères au plus` })
    .transform((s) => s.trim())
    .refine((s) => s === '' || EMAIL.test(s), { error: `${what} : adresse invalide (ex. prenom.nom@ac-limoges.fr)` })
    .transform((s) => s || null);

/** A phone number: French (10 digits) or international (+ and the country code), shown by groups. */
export function normalizePhone(text: string): string | null {
  const d = text.replace(/[\s.\-/()]/g, '').replace(/^00/, '+');
  const fr = /^(?:0|\+33(?:0)?)([1-9]\d{8})$/.exec(d);
  if (fr) {
    const n = `0${fr[1]}`;
    return d.startsWith('+')
      ? `+33 ${n.slice(1, 2)} ${n.slice(2).replace(/(\d\d)(?=\d)/g, '$1 ')}`
      : n.replace(/(\d\d)(?=\d)/g, '$1 ');
  }
  return /^\+[1-9]\d{6,14}$/.test(d) ? d : null;
}

const Phone = (what: string) =>
  cleanString(what)
    .max(30, { error: `${what} : 30 caractères au plus` })
    .transform((s, ctx) => {
      if (!s.trim()) return null;
      const phone = normalizePhone(s);
      if (phone === null) {
        ctx.addIssue({
          code: 'custom',
          message: `${what} : numéro invalide (ex. 05 55 12 34 56 ou +33 5 55 12 34 56)`,
        });
        return z.NEVER;
      }
      return phone;
    });

const Person = (who: string) =>
  z
    .object(
      {
        name: requiredText(`nom du ${who}`, 100),
        email: Email(`courriel du ${who}`).nullable().optional(),
        phone: Phone(`téléphone du ${who}`).nullable().optional(),
      },
      { error: `${who} : { name, email, phone } attendu (ou null pour effacer)` },
    )
    .strict()
    .transform((p) => ({ name: p.name, email: p.email ?? null, phone: p.phone ?? null }));

const Bank = z
  .object(
    {
      iban: cleanString('IBAN')
        .max(60, { error: 'IBAN : 60 caractères au plus' })
        .transform((s, ctx) => {
          const r = checkIban(s);
          if (r.ok) return r.iban;
          ctx.addIssue({ code: 'custom', message: r.error });
          return z.NEVER;
        })
        .meta({ description: 'IBAN, avec ou sans espaces : vérifié par sa clé, rendu sans espaces' }),
      bic: cleanString('BIC')
        .max(20, { error: 'BIC : 20 caractères au plus' })
        .transform((s, ctx) => {
          if (!s.trim()) return null;
          const r = checkBic(s);
          if (r.ok) return r.bic;
          ctx.addIssue({ code: 'custom', message: r.error });
          return z.NEVER;
        })
        .nullable()
        .optional(),
      name: optionalText('nom de la banque', 100),
    },
    { error: 'coordonnées bancaires : { iban, bic, name } attendu (ou null pour effacer)' },
  )
  .strict()
  .transform((b) => ({ iban: b.iban, bic: b.bic ?? null, name: b.name ?? null }));

const LastStatement = z
  .object(
    {
      date: z
        .string({ error: 'date du dernier relevé : AAAA-MM-JJ attendu' })
        .refine(isIsoDate, { error: 'date du dernier relevé : AAAA-MM-JJ attendu (une date qui existe)' })
        // Tomorrow in UTC: today where the user is, whatever their time zone.
        .refine((d) => d <= addDays(new Date().toISOString().slice(0, 10), 1), {
          error: 'date du dernier relevé : dans le futur',
        }),
      balance: z
        .number({ error: 'solde du dernier relevé : nombre de centimes attendu' })
        .int({ error: 'solde du dernier relevé : montant en centimes entiers (123456 pour 1 234,56 €)' })
        .min(-1e12, { error: 'solde du dernier relevé : montant hors limites' })
        .max(1e12, { error: 'solde du dernier relevé : montant hors limites' }),
    },
    { error: 'dernier relevé : { date, balance } attendu (ou null pour effacer)' },
  )
  .strict();

export const CoopAdminRequest = z
  .object({
    name: requiredText('nom de la coopérative', 200).optional(),
    school: optionalText('école', 200),
    address: Address.nullable().optional(),
    mandataire: Person('mandataire').nullable().optional(),
    cosignatory: Person('co-signataire').nullable().optional(),
    bank: Bank.nullable().optional(),
    lastStatement: LastStatement.nullable().optional(),
    pointageThreshold: z
      .string({ error: 'pointageThreshold : jour MM-JJ attendu (par ex. 06-01)' })
      .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, {
        error: 'pointageThreshold : jour MM-JJ attendu (par ex. 06-01)',
      })
      .nullable()
      .optional()
      .meta({
        description:
          'les lignes bancaires non pointées datées d’avant ce jour (MM-JJ, dans l’exercice) bloquent la clôture ; null : 06-01',
      }),
  })
  .strict()
  .meta({
    id: 'CoopAdminInput',
    description:
      'les champs à changer, et eux seuls ; null efface. Un mandataire ne change que ceux que son département permet (editable).',
    example: {
      address: '12 rue des Écoles\n87000 Limoges',
      bank: { iban: 'FR76 3000 6000 0112 3456 7890 189', bic: 'AGRIFRPP878', name: 'Crédit Agricole' },
      lastStatement: { date: '2025-08-31', balance: 123456 },
    },
  });

const PersonOut = z.object({ name: z.string(), email: z.string().nullable(), phone: z.string().nullable() });

export const CoopDetail = z
  .object({
    number: z.string(),
    name: z.string(),
    school: z.string().nullable(),
    department: z.string(),
    address: z.string().nullable(),
    mandataire: PersonOut.nullable(),
    cosignatory: PersonOut.nullable(),
    bank: z.object({ iban: z.string(), bic: z.string().nullable(), name: z.string().nullable() }).nullable(),
    lastStatement: z.object({ date: z.string(), balance: z.number().int() }).nullable(),
    pointageThreshold: z.string().nullable().meta({ description: 'MM-JJ ; null : 06-01 (1er juin)' }),
    editable: z.array(FIELD).meta({ description: 'les champs que l’utilisateur peut changer' }),
  })
  .meta({ id: 'CoopDetail' });

const HistoryEntry = z.object({
  book: z.enum(['coop', 'departement']).meta({
    description: 'coop : les données de la coopérative ; departement : ce que le département permet au mandataire',
  }),
  action: z.string(),
  at: z.string(),
  login: z.string(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
});

export const DepartmentSettingsBody = z
  .object({
    mandataireFields: z
      .array(FIELD, { error: `mandataireFields : liste de champs attendue (${COOP_ADMIN_FIELDS.join(', ')})` })
      .max(COOP_ADMIN_FIELDS.length * 2),
  })
  .strict()
  .meta({
    id: 'DepartmentSettings',
    description: 'ce que les mandataires du département peuvent changer des données de leur coopérative',
    example: { mandataireFields: ['school', 'address', 'mandataire', 'cosignatory', 'lastStatement'] },
  });

const DepartmentParam = {
  description: 'code du département (87, 2A, 974)',
  schema: cleanString('département').max(10, { error: 'département : 10 caractères au plus' }),
};

export const COOP_ADMIN_ROUTES: Route[] = [
  {
    method: 'patch',
    path: '/api/coops/{coop}',
    summary:
      'change les données administratives de la coopérative (école, adresse, mandataire, co-signataire, banque, dernier relevé)',
    tag: 'coopératives',
    params: { coop: CoopParam },
    body: CoopAdminRequest,
    responses: {
      200: { description: 'la coopérative telle qu’elle est enregistrée', schema: CoopDetail },
      ...COMMON_ERRORS,
      403: problem('champ réservé au trésorier départemental (errors le nomme)'),
    },
    async handle(r) {
      r.ctx.body = await updateCoopAdmin(r.services.db, r.principal, r.params.coop!, r.body as CoopAdminInput);
    },
  },
  {
    method: 'get',
    path: '/api/coops/{coop}/history',
    summary: 'historique des données de la coopérative : qui, quand, avant, après (le plus ancien d’abord)',
    tag: 'coopératives',
    params: { coop: CoopParam },
    responses: { 200: { description: 'les changements', schema: z.array(HistoryEntry) }, ...COMMON_ERRORS },
    async handle(r) {
      r.ctx.body = await coopHistory(r.services.db, r.principal, r.params.coop!);
    },
  },
  {
    method: 'get',
    path: '/api/departments/{code}/settings',
    summary: 'ce que les mandataires du département peuvent changer de leur coopérative',
    tag: 'coopératives',
    params: { code: DepartmentParam },
    responses: {
      200: { description: 'les réglages du département', schema: DepartmentSettingsBody },
      ...COMMON_ERRORS,
      404: problem('département inconnu ou pas le vôtre'),
    },
    async handle(r) {
      r.ctx.body = await getDepartmentSettings(r.services.db, r.principal, r.params.code!);
    },
  },
  {
    method: 'put',
    path: '/api/departments/{code}/settings',
    summary: 'fixe ce que les mandataires du département peuvent changer (trésorier du département, administrateur)',
    tag: 'coopératives',
    params: { code: DepartmentParam },
    body: DepartmentSettingsBody,
    responses: {
      200: { description: 'les réglages enregistrés', schema: DepartmentSettingsBody },
      ...COMMON_ERRORS,
      404: problem('département inconnu ou pas le vôtre'),
    },
    async handle(r) {
      const body = r.body as z.infer<typeof DepartmentSettingsBody>;
      r.ctx.body = await putDepartmentSettings(r.services.db, r.principal, r.params.code!, body);
    },
  },
];
