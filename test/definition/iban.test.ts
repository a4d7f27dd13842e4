/** The coop's IBAN and BIC as a treasurer types them: normalised, checked by their keys, shown by groups of 4. */
import fc from 'fast-check';
import { checkBic, checkIban, formatIban, isValidIban, mod97, normalizeIban, ribKey } from '../../templates/definition';

const VALID = 'FR7630006000011234567890189';

/** The IBAN of a BBAN: its two check digits computed as ISO 13616 says. */
function ibanOf(country: string, bban: string): string {
  const check = 98 - mod97(`${bban}${country}00`);
  return `${country}${String(check).padStart(2, '0')}${bban}`;
}

/** A French IBAN from a RIB, its clé RIB given (computed when absent). */
function frenchIban(banque: string, guichet: string, compte: string, key?: number): string {
  const k = key ?? ribKey(banque, guichet, compte);
  return ibanOf('FR', `${banque}${guichet}${compte}${String(k).padStart(2, '0')}`);
}

const error = (text: string) => {
  const r = checkIban(text);
  return r.ok ? null : r.error;
};

describe('l’IBAN de la coopérative', () => {
  test('a valid French IBAN, typed with spaces, in lower case or copied with its label, is normalised', () => {
    for (const typed of [
      'FR76 3000 6000 0112 3456 7890 189',
      'fr76 3000 6000 0112 3456 7890 189',
      '  FR7630006000011234567890189 ',
      'IBAN : FR76 3000 6000 0112 3456 7890 189',
      'FR76-3000-6000-0112-3456-7890-189',
      'FR76\u00a03000\u202f6000 0112 3456 7890 189',
    ]) {
      expect([typed, checkIban(typed)]).toEqual([typed, { ok: true, iban: VALID }]);
    }
    expect(normalizeIban('fr76 3000 6000')).toBe('FR7630006000');
  });

  test('IBANs of other countries are checked by their own length and key', () => {
    for (const iban of [
      'DE89 3704 0044 0532 0130 00',
      'GB82 WEST 1234 5698 7654 32',
      'BE68 5390 0754 7034',
      'NO93 8601 1117 947',
    ]) {
      expect([iban, isValidIban(iban)]).toEqual([iban, true]);
    }
  });

  test('a wrong digit breaks the key: the message says to check the digits', () => {
    const message = 'IBAN : la clé de contrôle ne correspond pas (vérifiez les chiffres)';
    expect(error('FR76 3000 6000 0112 3456 7890 188')).toBe(message);
    expect(error('FR76 3000 6000 0112 3546 7890 189')).toBe(message); // two digits swapped
    expect(error('FR77 3000 6000 0112 3456 7890 189')).toBe(message);
    expect(error('DE88 3704 0044 0532 0130 00')).toBe(message);
  });

  test('check digits 00, 01 and 99 never make a valid IBAN, even when the remainder is 1', () => {
    // 01 ≡ 98 and 99 ≡ 02 (mod 97): the same remainder as a valid key, yet not a key.
    let n = 0;
    const bbanWith = (check: string) => {
      for (n = 0; ibanOf('FR', `3000600001${String(n).padStart(13, '0')}`).slice(2, 4) !== check; n++);
      return `3000600001${String(n).padStart(13, '0')}`;
    };
    expect(mod97(`${bbanWith('98')}FR01`)).toBe(1);
    expect(error(`FR01${bbanWith('98')}`)).toMatch(/clé de contrôle/);
    expect(mod97(`${bbanWith('02')}FR99`)).toBe(1);
    expect(error(`FR99${bbanWith('02')}`)).toMatch(/clé de contrôle/);
    const bban = '30006000011234567890189';
    expect(error(`FR00${bban}`)).toMatch(/clé de contrôle/);
    expect(error(`FR01${bban}`)).toMatch(/clé de contrôle/);
    expect(error(`FR99${bban}`)).toMatch(/clé de contrôle/);
  });

  test('the length of the country is required: a French IBAN has 27 characters', () => {
    expect(error('FR76 3000 6000 0112 3456 7890 18')).toBe('IBAN : un IBAN FR compte 27 caractères (26 saisis)');
    expect(error('FR76 3000 6000 0112 3456 7890 1890')).toBe('IBAN : un IBAN FR compte 27 caractères (28 saisis)');
    expect(error('DE89 3704 0044 0532 0130 0')).toBe('IBAN : un IBAN DE compte 22 caractères (21 saisis)');
  });

  test('letters where they do not belong, other characters, an unknown country, an empty field', () => {
    expect(error('')).toBe('IBAN : obligatoire');
    expect(error('   ')).toBe('IBAN : obligatoire');
    expect(error('FR76 3000 6000 0112 3456 7890 18#')).toBe(
      'IBAN : seuls les lettres et les chiffres sont permis (« # » refusé)',
    );
    expect(error('3000 6000 0112 3456 7890 189')).toBe(
      'IBAN : il commence par le code du pays et 2 chiffres de contrôle (ex. FR76…)',
    );
    expect(error('FRAB 3000 6000 0112 3456 7890 189')).toMatch(/^IBAN : il commence par le code du pays/);
    expect(error('ZZ76 3000 6000 0112 3456 7890 189')).toBe(
      'IBAN : pays « ZZ » inconnu (un IBAN français commence par FR)',
    );
    // A letter in the bank code of a French IBAN, even with a matching key.
    expect(error(ibanOf('FR', '3000A000011234567890189'))).toMatch(/^IBAN : après FR\d\d viennent le code banque/);
  });

  test('a French account may hold letters; its clé RIB is checked too', () => {
    const withLetters = frenchIban('20041', '01005', '0500013M026');
    expect(checkIban(withLetters)).toEqual({ ok: true, iban: withLetters });
    // ISO key right, clé RIB wrong: an IBAN computed from a mistyped RIB.
    const key = ribKey('30006', '00001', '12345678901');
    expect(key).toBe(89);
    expect(error(frenchIban('30006', '00001', '12345678901', 88))).toBe(
      'IBAN : la clé RIB (2 derniers chiffres) ne correspond pas au compte (vérifiez les chiffres)',
    );
  });

  test('mod 97 is exact on numbers far beyond safe integers', () => {
    // 10^30 = (10^3)^10 and 1000 ≡ 30 (mod 97).
    let expected = 1;
    for (let i = 0; i < 10; i++) expected = (expected * 30) % 97;
    expect(mod97(`1${'0'.repeat(30)}`)).toBe(expected);
    expect(mod97('A')).toBe(10);
    expect(mod97('Z0')).toBe(350 % 97);
  });

  test('shown by groups of 4, as on a RIB', () => {
    expect(formatIban(VALID)).toBe('FR76 3000 6000 0112 3456 7890 189');
    expect(formatIban('de89370400440532013000')).toBe('DE89 3704 0044 0532 0130 00');
    expect(formatIban('FR76 3000 6000 0112 3456 7890 189')).toBe('FR76 3000 6000 0112 3456 7890 189');
  });

  test('any RIB makes a valid IBAN; one digit changed or two neighbours swapped is always refused', () => {
    const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n });
    fc.assert(
      fc.property(digits(5), digits(5), digits(11), fc.nat(), fc.integer({ min: 1, max: 9 }), (b, g, c, at, delta) => {
        const iban = frenchIban(b.join(''), g.join(''), c.join(''));
        expect(checkIban(formatIban(iban))).toEqual({ ok: true, iban });
        const i = 2 + (at % (iban.length - 2));
        const changed = `${iban.slice(0, i)}${(Number(iban[i]) + delta) % 10}${iban.slice(i + 1)}`;
        expect(isValidIban(changed)).toBe(false);
        const j = 2 + (at % (iban.length - 3));
        if (iban[j] !== iban[j + 1]) {
          const swapped = `${iban.slice(0, j)}${iban[j + 1]}${iban[j]}${iban.slice(j + 2)}`;
          expect(isValidIban(swapped)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('le BIC', () => {
  test('8 or 11 characters, normalised', () => {
    expect(checkBic('agri fr pp 878')).toEqual({ ok: true, bic: 'AGRIFRPP878' });
    expect(checkBic('BNPAFRPP')).toEqual({ ok: true, bic: 'BNPAFRPP' });
  });

  test('a wrong shape is refused in French', () => {
    for (const bad of ['AGRI', 'AGRIFRPP87', '1GRIFRPP', 'AGRI-FRPP']) {
      const r = checkBic(bad);
      expect([bad, r.ok]).toEqual([bad, false]);
      if (!r.ok) expect(r.error).toMatch(/^BIC : 8 ou 11 caractères/);
    }
    expect(checkBic(' ')).toEqual({ ok: false, error: 'BIC : obligatoire' });
  });
});
