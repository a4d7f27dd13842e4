/**
 * Amounts are integer cents everywhere inside the product. Euros only exist at the edges:
 * in the workbook cells (numbers with two decimals) and in French text.
 */
export type Cents = number;

export function isCents(value: unknown): value is Cents {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** Euros (a spreadsheet number) → cents, or null when the value has more than two decimals. */
export function eurosToCents(euros: number): Cents | null {
  if (!Number.isFinite(euros)) return null;
  const scaled = euros * 100;
  const cents = Math.round(scaled);
  // Binary floats: 45.9 * 100 = 4589.999999999999. Anything further than this from an
  // integer really had a third decimal.
  if (Math.abs(scaled - cents) > 1e-6 * Math.max(1, Math.abs(scaled))) return null;
  return cents === 0 ? 0 : cents; // no -0
}

export function centsToEuros(cents: Cents): number {
  return cents / 100;
}

/** 123456 → "1 234,56 €" (French grouping with a narrow no-break space). */
export function formatEuros(cents: Cents): string {
  const negative = cents < 0;
  const abs = Math.abs(Math.trunc(cents));
  const units = Math.floor(abs / 100).toString();
  const decimals = (abs % 100).toString().padStart(2, '0');
  const grouped = units.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  return `${negative ? '-' : ''}${grouped},${decimals}\u00a0€`;
}

/**
 * Parses what a treasurer types: "45,90", "45.90", "1 234,5 €", "-20". Returns cents, or an
 * error message in French.
 */
export function parseEuros(text: string): { cents: Cents } | { error: string } {
  const cleaned = text
    .replace(/[\s\u00a0\u202f€]/g, '')
    .replace(',', '.')
    .trim();
  if (!/^-?\d+(\.\d*)?$/.test(cleaned) && !/^-?\.\d+$/.test(cleaned)) {
    return { error: `« ${text} » n'est pas un montant.` };
  }
  const cents = eurosToCents(Number(cleaned));
  if (cents === null) return { error: `Le montant « ${text} » a plus de deux décimales.` };
  return { cents };
}

export function sumCents(values: readonly Cents[]): Cents {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
