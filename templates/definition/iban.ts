/**
 * The coop's bank account: an IBAN as a treasurer types it (spaces, lower case, copied from a
 * RIB with its "IBAN :" label) is normalised, then checked as ISO 13616 says: the country's
 * length, the two check digits by mod 97 (computed digit by digit, so no number ever exceeds a
 * few thousand), and for a French or Monegasque account the clé RIB too. A BIC (ISO 9362) is
 * checked by its shape. Messages are French and start with the field's label.
 */

/** Length of an IBAN per country code (SWIFT IBAN registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24,
  SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
}; // prettier-ignore

/** Countries whose account number is a French RIB (code banque, code guichet, compte, clé). */
const RIB_COUNTRIES = new Set(['FR', 'MC']);

export type IbanCheck = { ok: true; iban: string } | { ok: false; error: string };
export type BicCheck = { ok: true; bic: string } | { ok: false; error: string };

/**
 * Upper case, without the spaces, dashes and dots people type between groups, nor the
 * "IBAN :" label a copied RIB brings along.
 */
export function normalizeIban(text: string): string {
  return text
    .trim()
    .replace(/^IBAN\s*:?\s*/i, '')
    .replace(/[\s.-]+/g, '')
    .toUpperCase();
}

/**
 * The remainder by 97 of the number written by `text`, letters counting as 10 (A) to 35 (Z):
 * one digit at a time, so an IBAN of 34 characters never leaves safe integers.
 */
export function mod97(text: string): number {
  let rest = 0;
  for (const c of text) {
    const v = parseInt(c, 36);
    rest = (v > 9 ? rest * 100 + v : rest * 10 + v) % 97;
  }
  return rest;
}

/** The clé RIB of a French account: 97 − (89 × banque + 15 × guichet + 3 × compte) mod 97. */
export function ribKey(banque: string, guichet: string, compte: string): number {
  // The letters of an account number stand for digits (A, J → 1; B, K, S → 2; …).
  const digits = compte.replace(/[A-Z]/g, (c) => String(((c.charCodeAt(0) - 65 + (c >= 'S' ? 1 : 0)) % 9) + 1));
  return 97 - ((89 * (Number(banque) % 97) + 15 * (Number(guichet) % 97) + 3 * mod97(digits)) % 97);
}

const fail = (error: string): IbanCheck => ({ ok: false, error });

/** Checks an IBAN typed by a user; when valid, answers it normalised (FR7630006000011234567890189). */
export function checkIban(text: string): IbanCheck {
  const iban = normalizeIban(text);
  if (!iban) return fail('IBAN : obligatoire');
  const bad = /[^A-Z0-9]/.exec(iban);
  if (bad) return fail(`IBAN : seuls les lettres et les chiffres sont permis (« ${bad[0]} » refusé)`);
  if (!/^[A-Z]{2}\d{2}/.test(iban)) {
    return fail('IBAN : il commence par le code du pays et 2 chiffres de contrôle (ex. FR76…)');
  }
  const country = iban.slice(0, 2);
  const length = IBAN_LENGTHS[country];
  if (length === undefined) return fail(`IBAN : pays « ${country} » inconnu (un IBAN français commence par FR)`);
  if (iban.length !== length) {
    return fail(`IBAN : un IBAN ${country} compte ${length} caractères (${iban.length} saisis)`);
  }
  const check = iban.slice(2, 4);
  if (check === '00' || check === '01' || check === '99' || mod97(iban.slice(4) + iban.slice(0, 4)) !== 1) {
    return fail('IBAN : la clé de contrôle ne correspond pas (vérifiez les chiffres)');
  }
  if (RIB_COUNTRIES.has(country)) {
    const rib = /^(\d{5})(\d{5})([A-Z0-9]{11})(\d{2})$/.exec(iban.slice(4));
    if (!rib) {
      return fail(
        `IBAN : après ${iban.slice(0, 4)} viennent le code banque et le code guichet (5 chiffres chacun), le numéro de compte (11 caractères) et la clé RIB (2 chiffres)`,
      );
    }
    if (ribKey(rib[1]!, rib[2]!, rib[3]!) !== Number(rib[4])) {
      return fail('IBAN : la clé RIB (2 derniers chiffres) ne correspond pas au compte (vérifiez les chiffres)');
    }
  }
  return { ok: true, iban };
}

export const isValidIban = (text: string): boolean => checkIban(text).ok;

/** An IBAN as printed on a RIB: groups of 4 (FR76 3000 6000 0112 3456 7890 189). */
export function formatIban(iban: string): string {
  return normalizeIban(iban).replace(/(.{4})(?=.)/g, '$1 ');
}

/** Checks a BIC (8 or 11 characters: bank, country, location, branch); answers it normalised. */
export function checkBic(text: string): BicCheck {
  const bic = text.replace(/\s+/g, '').toUpperCase();
  if (!bic) return { ok: false, error: 'BIC : obligatoire' };
  if (!/^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$/.test(bic)) {
    return {
      ok: false,
      error:
        'BIC : 8 ou 11 caractères — 4 lettres de la banque, 2 du pays, 2 lettres ou chiffres, puis l’agence facultative (ex. AGRIFRPP878)',
    };
  }
  return { ok: true, bic };
}
