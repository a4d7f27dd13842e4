/**
 * The shapes of requests and responses (zod). They validate what comes in and generate the
 * OpenAPI document: one definition for both. French messages name the field.
 */
import { z } from 'zod';
import { ACCOUNTS, LINE_KINDS, MODES, PROBLEMS as RULES } from '../../templates/definition';
import { EXERCISE_ACTIONS, ROLES } from '../db/models';
import { PROBLEM_CODES } from '../operations/errors';

const PROBLEMS = Object.keys(RULES) as [keyof typeof RULES, ...(keyof typeof RULES)[]];

export const Uuid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, {
    error: 'identifiant attendu au format UUID',
  })
  .transform((s) => s.toLowerCase())
  .meta({ description: 'UUID généré par le client' });

/**
 * The first character a text field may not hold: a control character (U+0000–U+001F,
 * U+007F–U+009F) or half of a UTF-16 surrogate pair, which no database stores as sent.
 */
export function forbiddenCharacter(value: string): string | null {
  const m = /[\p{Cc}\p{Cs}]/u.exec(value);
  if (!m) return null;
  const code = m[0].charCodeAt(0);
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return code >= 0xd800 && code <= 0xdfff
    ? `caractère invalide (${hex}, moitié d’un caractère)`
    : `caractère de contrôle interdit (${hex})`;
}

/** A string without control characters nor lone surrogates; the message names the field. */
export const cleanString = (what: string, error = `${what} : texte attendu`) =>
  z.string({ error }).superRefine((value, ctx) => {
    const bad = forbiddenCharacter(value);
    if (bad) ctx.addIssue({ code: 'custom', message: `${what} : ${bad}` });
  });

const text = (max: number, what: string) =>
  cleanString(what).max(max, { error: `${what} : ${max} caractères au plus` });
const optionalText = (max: number, what: string) => text(max, what).nullable().optional();
const cents = (what: string) =>
  z
    .number({ error: `${what} : nombre de centimes attendu` })
    .int({ error: `${what} : montant en centimes entiers (4590 pour 45,90 €)` })
    .min(-1e12, { error: `${what} : montant hors limites` })
    .max(1e12, { error: `${what} : montant hors limites` });

export const VentilationPart = z
  .object({
    chapter: cleanString('chapitre', 'chapitre : code attendu (ex. « 6180 »)').max(10),
    amount: cents('part de ventilation'),
  })
  .strict();

/** A line as the add-in, imports and outside scripts send it (amounts in cents). */
export const LineInput = z
  .object({
    pj: text(40, 'N° de pièce'),
    date: text(10, 'date').meta({ description: 'AAAA-MM-JJ', examples: ['2025-09-15'] }),
    libelle: text(500, 'libellé'),
    mode: z
      .enum(MODES, { error: `mode : ${MODES.join(', ')}` })
      .nullable()
      .optional(),
    cheque: optionalText(40, 'N° de chèque'),
    action: optionalText(100, 'action'),
    kind: z.enum(LINE_KINDS, { error: `nature (kind) : ${LINE_KINDS.join(', ')}` }),
    account: z.enum(ACCOUNTS, { error: `compte (account) : ${ACCOUNTS.join(', ')}` }),
    amount: cents('montant'),
    ventilation: z.array(VentilationPart).max(50).default([]),
    holder: optionalText(100, 'titulaire de la régie').meta({
      description: 'titulaire de la régie d’avance (enseignant) : obligatoire sur les lignes de régie',
    }),
  })
  .strict()
  .meta({
    id: 'LineInput',
    example: {
      pj: '001',
      date: '2025-09-15',
      libelle: 'Librairie – albums',
      mode: 'cheque',
      cheque: '4500123',
      action: 'Bibliothèque',
      kind: 'depense',
      account: 'banque',
      amount: 4590,
      ventilation: [{ chapter: '6180', amount: 4590 }],
    },
  });
export type LineInputBody = z.infer<typeof LineInput>;

export const Problem = z
  .object({
    code: z.enum(PROBLEMS),
    severity: z.enum(['error', 'warning']),
    field: z.string(),
    message: z.string(),
    chapter: z.string().optional(),
  })
  .meta({ id: 'Problem' });

export const Line = LineInput.extend({
  id: z.string(),
  version: z.number().int(),
  status: z.enum(['draft', 'validated']),
  problems: z.array(Problem),
  pointed: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: 'Line' });

export const Tombstone = z
  .object({ id: z.string(), version: z.number().int(), deleted: z.literal(true), updatedAt: z.string() })
  .meta({ id: 'Tombstone' });

export const LineList = z
  .object({
    cursor: z.string().meta({ description: 'à repasser dans ?since= pour la suite' }),
    lines: z.array(Line),
    tombstones: z.array(Tombstone),
  })
  .meta({ id: 'LineList' });

export const SyncItem = z
  .object({
    id: Uuid,
    version: z.number().int().positive().nullable().optional().meta({
      description: 'version connue du client (If-Match) ; absente pour une création',
    }),
    deleted: z.boolean().optional(),
    line: LineInput.optional(),
  })
  .strict()
  .refine((i) => i.deleted === true || i.line !== undefined, { error: 'line : la ligne est absente' });

export const DuplicateRequest = z
  .object({
    id: Uuid.optional().meta({ description: 'UUID de la copie, pour qu’un renvoi ne duplique pas deux fois' }),
  })
  .strict()
  .meta({ id: 'DuplicateRequest' });

export const PointageRequest = z
  .object({ pointed: z.boolean({ error: 'pointed : true (pointée) ou false (dépointée)' }) })
  .strict()
  .meta({ id: 'PointageRequest' });

export const SyncRequest = z
  .object({ lines: z.array(z.unknown()).max(5000, { error: 'lot de 5 000 lignes au plus' }) })
  .strict()
  .meta({
    id: 'SyncRequest',
    description: 'chaque élément : { id, version?, line } ou { id, version, deleted: true }',
  });

export const SyncResult = z
  .object({
    id: z.string(),
    result: z.enum(['stored', 'unchanged', 'conflict', 'invalid']),
    line: z.union([Line, Tombstone]).nullable().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'SyncResult' });

export const SyncResponse = z
  .object({
    cursor: z.string(),
    counts: z.record(z.string(), z.number()),
    results: z.array(SyncResult),
  })
  .meta({ id: 'SyncResponse' });

export const AuditEntry = z
  .object({
    action: z.enum(['create', 'replace', 'delete', 'duplicate', 'restore', 'pointage', 'depointage']),
    version: z.number().int(),
    at: z.string(),
    login: z.string(),
    before: z.unknown().nullable(),
    after: z.unknown().nullable(),
  })
  .meta({ id: 'AuditEntry' });

export const SessionRequest = z
  .object({
    login: cleanString('login')
      .min(1, { error: 'login : obligatoire' })
      .max(100, { error: 'login : 100 caractères au plus' }),
    password: z.string({ error: 'password : texte attendu' }).min(1, { error: 'password : obligatoire' }).max(200),
  })
  .strict()
  .meta({ id: 'SessionRequest' });

export const SessionResponse = z
  .object({
    token: z.string(),
    expiresAt: z.string(),
    user: z.object({
      login: z.string(),
      role: z.enum(ROLES),
      coop: z.string().nullable(),
      department: z.string().nullable(),
    }),
  })
  .meta({ id: 'SessionResponse' });

export const Chapter = z
  .object({
    code: z.string(),
    side: z.enum(['charge', 'produit']),
    label: z.string(),
    description: z.string(),
    reminder: z.enum(['inventaire', 'subvention']).optional(),
  })
  .meta({ id: 'Chapter' });

export const Coop = z
  .object({
    number: z.string(),
    name: z.string(),
    school: z.string().nullable(),
    department: z.string(),
  })
  .meta({ id: 'Coop' });

export const ExerciseInput = z
  .object({
    opening: z.object({ banque: cents('report à nouveau banque'), caisse: cents('report à nouveau caisse') }).strict(),
    reason: optionalText(500, 'raison (reason)').meta({
      description: 'pourquoi le report à nouveau change : obligatoire quand l’exercice contient des lignes',
    }),
  })
  .strict()
  .meta({ id: 'ExerciseInput' });

export const Exercise = z
  .object({
    year: z.number().int(),
    label: z.string(),
    start: z.string(),
    end: z.string(),
    status: z.enum(['open', 'closed']),
    opening: z.object({ banque: z.number().int(), caisse: z.number().int() }),
  })
  .meta({ id: 'Exercise' });

export const ExerciseAuditEntry = z
  .object({
    action: z.enum(EXERCISE_ACTIONS).meta({
      description: 'open (ouverture), opening (report à nouveau corrigé), close (clôture), reopen (réouverture)',
    }),
    at: z.string(),
    login: z.string(),
    reason: z.string().nullable(),
    before: z.unknown().nullable(),
    after: z.unknown().nullable(),
  })
  .meta({ id: 'ExerciseAuditEntry' });

export const ProblemDocument = z
  .object({
    type: z.string().meta({
      description: 'URI relative au service : /problems/<code> (GET /problems/{code} la décrit)',
      examples: ['/problems/exercice_clos'],
    }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(PROBLEM_CODES).meta({ description: 'code stable du problème' }),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    current: z.unknown().optional(),
  })
  .meta({ id: 'ProblemDetails', description: 'application/problem+json, en français' });

export const ProblemType = z
  .object({
    type: z.string(),
    code: z.enum(PROBLEM_CODES),
    status: z.number().int(),
    title: z.string(),
  })
  .meta({ id: 'ProblemType', description: 'un type de problème que le service peut répondre' });

export const Health = z
  .object({ status: z.enum(['ok', 'indisponible']), database: z.enum(['ok', 'unreachable']) })
  .meta({ id: 'Health' });

/** zod issues → French field errors ("lines[2].amount : …"); a missing field says so. */
export function fieldErrors(error: z.ZodError, input: unknown, prefix = ''): { field: string; message: string }[] {
  return error.issues.map((i) => {
    const path = i.path
      .map((p, n) => (typeof p === 'number' ? `[${p}]` : `${n === 0 && !prefix ? '' : '.'}${String(p)}`))
      .join('');
    const field = `${prefix}${path}` || prefix || 'corps';
    let value: unknown = input;
    for (const p of i.path)
      value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[p] : undefined;
    let message = i.message;
    if (i.code === 'unrecognized_keys') message = `${field || 'corps'} : champ inconnu ${i.keys.join(', ')}`;
    else if (i.code === 'invalid_type' && value === undefined) message = `${field} : champ obligatoire`;
    return { field, message };
  });
}
