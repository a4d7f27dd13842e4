/**
 * What the side books' route tables share (arrêtés de caisse, subventions, inventaire, régies,
 * pièces): a line as a book shows it, what a book reports for the closure, a record's history,
 * the dates of a record, and the refusals of a write.
 */
import { z } from 'zod';
import { LINE_KINDS } from '../../../templates/definition';
import { COMMON_ERRORS, problem } from './shared';

/** A line as a side book shows it (inline: each book's schema stays its own). */
export const LineRefSchema = z.object({
  id: z.string(),
  pj: z.string(),
  date: z.string(),
  libelle: z.string(),
  kind: z.enum(LINE_KINDS),
  amount: z.number().int().meta({ description: 'montant qui concerne le livre, en centimes' }),
});

/** What a side book reports for the closure: a stable code, a French sentence, the lines concerned. */
export const BookProblemSchema = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  lines: z.array(z.string()).meta({ description: 'identifiants des lignes concernées' }),
});

/** One change of a side book's record: what, when, who, before and after. */
export const SideBookChange = z.object({
  action: z.string(),
  at: z.string(),
  login: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});
export const SideBookHistory = z.array(SideBookChange);

/** A date of a record's body, AAAA-MM-JJ (the shared rules say whether it exists). */
export const bookDate = (field: string) =>
  z.string({ error: `${field} : date AAAA-MM-JJ attendue` }).meta({ description: 'AAAA-MM-JJ' });

/** A write on a side book of the exercise: a closed exercise refuses it. */
export const BOOK_WRITE_ERRORS = { ...COMMON_ERRORS, 409: problem('exercice clôturé') };

/** …of a versioned record (If-Match required): `current` names the record joined to a 412. */
export const versionedWriteErrors = (current: string) => ({
  ...BOOK_WRITE_ERRORS,
  412: problem(`version périmée : ${current} est dans current`),
  428: problem('If-Match requis'),
});
