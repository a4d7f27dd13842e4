/**
 * CFONB 120: the « relevé de compte sur support informatique » of French banks, records of 120
 * characters. Records are separated by CRLF or LF, or not at all (a blob of 120·n characters).
 *
 * Layout (positions 1-based, inclusive), from the CFONB specification:
 *
 * | Zone                                  | 01 ancien solde | 04 mouvement | 05 complément | 07 nouveau solde |
 * | ------------------------------------- | --------------- | ------------ | ------------- | ---------------- |
 * | code enregistrement                   | 1–2 « 01 »      | 1–2 « 04 »   | 1–2 « 05 »    | 1–2 « 07 »       |
 * | code banque                           | 3–7             | 3–7          | 3–7           | 3–7              |
 * | code opération interne (banque)       | 8–11 (blanc)    | 8–11         | 8–11          | 8–11 (blanc)     |
 * | code guichet                          | 12–16           | 12–16        | 12–16         | 12–16            |
 * | code devise (ISO 4217)                | 17–19           | 17–19        | 17–19         | 17–19            |
 * | nombre de décimales du montant        | 20              | 20           | 20            | 20               |
 * | (réservé)                             | 21              | 21           | 21            | 21               |
 * | numéro de compte                      | 22–32           | 22–32        | 22–32         | 22–32            |
 * | code opération interbancaire          | 33–34 (blanc)   | 33–34        | 33–34         | 33–34 (blanc)    |
 * | date (JJMMAA)                         | 35–40 solde     | 35–40 compta | 35–40 compta  | 35–40 solde      |
 * | code motif de rejet                   |                 | 41–42        |               |                  |
 * | date de valeur (JJMMAA)               |                 | 43–48        |               |                  |
 * | qualifiant du complément (LIB, REF…)  |                 |              | 46–48         |                  |
 * | libellé                               |                 | 49–79        |               |                  |
 * | informations complémentaires          |                 |              | 49–118        |                  |
 * | (réservé)                             |                 | 80–81        |               |                  |
 * | numéro d'écriture                     |                 | 82–88        |               |                  |
 * | indice d'exonération de commission    |                 | 89           |               |                  |
 * | indice d'indisponibilité              |                 | 90           |               |                  |
 * | montant (14, signe sur le dernier)    | 91–104          | 91–104       |               | 91–104           |
 * | zone référence (n° de chèque 105–111) |                 | 105–120      |               |                  |
 *
 * The amount is right-aligned digits whose last character carries both the last digit and the
 * sign (« caractères signés »): `{` A B C D E F G H I are +0 … +9, `}` J K L M N O P Q R are
 * −0 … −9. Position 20 gives how many of its digits are decimals.
 */
import type { Cents, IsoDate, Statement, StatementLine } from '../../../templates/definition';
import {
  StatementFormatError,
  type StatementPart,
  assembleStatement,
  chequeFromLabel,
  cleanLabel,
  digitsToCents,
  fullYear,
  isoFromParts,
  joinLabels,
  lineError,
} from './common';

export const CFONB_RECORD_LENGTH = 120;

const POSITIVE_SIGNS = '{ABCDEFGHI';
const NEGATIVE_SIGNS = '}JKLMNOPQR';

/** Zone of a record, positions 1-based inclusive as in the specification. */
function zone(record: string, from: number, to: number): string {
  return record.slice(from - 1, to);
}

/**
 * The shortest length a record may have when a tool has stripped its trailing spaces: up to its
 * last meaningful zone (the amount, or the qualifier of a 05).
 */
const MIN_LENGTH: Record<string, number> = { '01': 104, '04': 104, '05': 48, '07': 104 };

/** Splits the text into records with their 1-based line numbers. */
export function cfonbRecords(text: string): { record: string; line: number }[] {
  const body = text.replace(/^\uFEFF/, '');
  if (!/[\r\n]/.test(body.replace(/[\r\n]+$/, ''))) {
    // One blob: records one after another without separators.
    const blob = body.replace(/[\r\n]+$/, '');
    if (blob.length > CFONB_RECORD_LENGTH) {
      const records: { record: string; line: number }[] = [];
      for (let i = 0; i < blob.length; i += CFONB_RECORD_LENGTH) {
        records.push({ record: blob.slice(i, i + CFONB_RECORD_LENGTH), line: i / CFONB_RECORD_LENGTH + 1 });
      }
      return records;
    }
  }
  return body
    .split(/\r\n|\n|\r/)
    .map((record, i) => ({ record, line: i + 1 }))
    .filter(({ record }) => record.trim() !== '');
}

/** "0000000012345{" with 2 decimals → 123450 cents… exact, from the digits. */
function parseSignedAmount(field: string, decimals: number, line: number): Cents {
  const last = field.charAt(field.length - 1);
  let sign = 1;
  let digit = POSITIVE_SIGNS.indexOf(last);
  if (digit < 0) {
    digit = NEGATIVE_SIGNS.indexOf(last);
    sign = -1;
  }
  if (digit < 0 && /\d/.test(last)) {
    digit = Number(last); // some banks write the last digit plainly for a positive amount
    sign = 1;
  }
  const head = field.slice(0, -1);
  if (digit < 0 || !/^\d{13}$/.test(head.replace(/ /g, '0'))) {
    throw lineError(line, `le montant « ${field.trim()} » (positions 91 à 104) est illisible.`);
  }
  const digits = head.replace(/ /g, '0') + String(digit);
  const units = digits.slice(0, digits.length - decimals);
  const fraction = decimals > 0 ? digits.slice(digits.length - decimals) : '';
  const cents = digitsToCents(sign < 0, units, fraction);
  if (cents === null) throw lineError(line, `le montant « ${field.trim()} » a plus de deux décimales non nulles.`);
  return cents;
}

function parseDate(field: string, line: number, what: string): IsoDate {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(field);
  const date = m ? isoFromParts(fullYear(Number(m[3])), Number(m[2]), Number(m[1])) : null;
  if (!date) throw lineError(line, `la ${what} « ${field} » n’existe pas (attendu : JJMMAA).`);
  return date;
}

function decimalsOf(record: string, line: number): number {
  const d = zone(record, 20, 20);
  if (!/^\d$/.test(d)) throw lineError(line, `le nombre de décimales « ${d} » (position 20) n’est pas un chiffre.`);
  return Number(d);
}

function accountOf(record: string): string | null {
  const account = zone(record, 22, 32).trim();
  return account === '' ? null : account;
}

export function readCfonb120(text: string): Statement {
  const parts: StatementPart[] = [];
  let current: StatementPart | null = null;
  let lastMovement: StatementLine | null = null;
  const startPart = (line: number, account: string | null): StatementPart => {
    const part: StatementPart = {
      account,
      period: { from: null, to: null },
      openingBalance: null,
      closingBalance: null,
      lines: [],
      line,
    };
    parts.push(part);
    return part;
  };

  for (const { record: raw, line } of cfonbRecords(text)) {
    const code = raw.slice(0, 2);
    const min = MIN_LENGTH[code];
    if (min === undefined) {
      throw lineError(
        line,
        `code d’enregistrement « ${code} » inconnu : un relevé CFONB 120 n’a que des enregistrements 01, 04, 05 et 07.`,
      );
    }
    if (raw.length > CFONB_RECORD_LENGTH) {
      throw lineError(line, `l’enregistrement fait ${raw.length} caractères au lieu de ${CFONB_RECORD_LENGTH}.`);
    }
    if (raw.length < min) {
      throw lineError(
        line,
        `l’enregistrement ${code} est tronqué : ${raw.length} caractères au lieu de ${CFONB_RECORD_LENGTH}.`,
      );
    }
    const record = raw.padEnd(CFONB_RECORD_LENGTH, ' ');
    const account = accountOf(record);

    if (code === '01') {
      current = startPart(line, account);
      current.period.from = parseDate(zone(record, 35, 40), line, 'date de l’ancien solde');
      current.openingBalance = parseSignedAmount(zone(record, 91, 104), decimalsOf(record, line), line);
      lastMovement = null;
    } else if (code === '04') {
      current ??= startPart(line, account);
      const date = parseDate(zone(record, 35, 40), line, 'date d’opération');
      const amount = parseSignedAmount(zone(record, 91, 104), decimalsOf(record, line), line);
      const label = cleanLabel(zone(record, 49, 79));
      const entry = zone(record, 82, 88).trim();
      const reference = zone(record, 105, 111).trim();
      const interbank = zone(record, 33, 34);
      const cheque =
        /^\d+$/.test(reference) && Number(reference) > 0 && (interbank === '01' || chequeFromLabel(label) !== null)
          ? reference
          : chequeFromLabel(label);
      lastMovement = {
        date,
        amount,
        label,
        cheque,
        bankRef: entry !== '' && /[^0]/.test(entry) ? entry : null,
      };
      current.lines.push(lastMovement);
    } else if (code === '05') {
      if (!lastMovement) {
        throw lineError(line, 'complément (05) sans mouvement (04) avant lui.');
      }
      const qualifier = zone(record, 46, 48);
      const info = zone(record, 49, 118);
      // Free-text complements extend the label; coded ones (identifiers, amounts) do not.
      if (/^(LIB|LCC|LC2|LCS|NPY|NBE|NPO|NBU| {3})$/.test(qualifier)) {
        lastMovement.label = joinLabels(lastMovement.label, info);
        lastMovement.cheque ??= chequeFromLabel(lastMovement.label);
      }
    } else {
      current ??= startPart(line, account);
      current.period.to = parseDate(zone(record, 35, 40), line, 'date du nouveau solde');
      current.closingBalance = parseSignedAmount(zone(record, 91, 104), decimalsOf(record, line), line);
      current.account ??= account;
      current = null;
      lastMovement = null;
    }
  }
  if (parts.length === 0) {
    throw new StatementFormatError({
      code: 'fichier_invalide',
      reason: 'le relevé CFONB ne contient aucun enregistrement.',
    });
  }
  return assembleStatement('cfonb120', parts);
}

/**
 * Does this text look like CFONB 120? Its first record starts with a known code, a bank code, and
 * has a currency and a number of decimals where the layout puts them (even when truncated).
 */
export function looksLikeCfonb120(text: string): boolean {
  const first = text.replace(/^\uFEFF/, '').replace(/^[\r\n]+/, '');
  return /^0[1457][0-9 ]{5}[^\r\n]{9}[A-Z]{3}\d/.test(first.slice(0, 20));
}
