/**
 * A whole year through the HTTP API, to its closure and beyond: a generated year synced; its
 * monthly bank statements (built from the cahier's bank lines, one cheque never cashed, one lost,
 * bank fees nobody entered) imported and the proposals accepted; every closure check provoked on
 * that data and fixed as a treasurer would, one at a time; the closure; the next exercise opened
 * with the closing balances (summed here from the lines sent) and last year's uncashed cheque
 * pointed there; the reopening by the trésorier départemental, a second closing, and the archived
 * documents with their sha256.
 */
import { createHash } from 'node:crypto';
import {
  DEFAULT_CHART,
  addDays,
  bankAmount,
  formatEuros,
  type LineInput,
  type StatementLine,
} from '../../templates/definition';
import { generateYear } from '../../server/demo/year';
import { addCoop, addUser, openExercise } from '../../server/operations/accounts';
import { toOfx2 } from '../fixtures/statement-files';
import { Client, DATABASES, startTestService, uuid, type TestService } from './harness';
import type { ArchiveJson } from '../../server/operations/archives';

const EXERCISE = 2025;
const END = '2026-08-31';
const COOP = '087-0555';
const PASSWORD = 'mot-de-passe-0555';
const LOGINS = { mandataire: 'mandataire.0555', tresorier: 'tresorier.0555' } as const;
/** Bank fees of March that only the bank knows (an amount no cahier line has). */
const FEES: StatementLine = {
  date: '2026-03-31',
  amount: -1_337,
  label: 'FRAIS TENUE DE COMPTE T1',
  cheque: null,
  bankRef: null,
};

interface Problem {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  lines: string[];
}
interface ClosureBody {
  canClose: boolean;
  date: string;
  problems: Problem[];
  figures: {
    balances: { banque: number; caisse: number; regie: number };
    statement: { date: string; balance: number; source: string } | null;
    reconciliationGap: number | null;
  };
}
/** An archived document as GET …/archives lists it. */
type ArchiveEntry = ArchiveJson;
interface Proposal {
  statementLine: { id: number; date: string; amount: number; label: string };
  lines: { id: string; version: number }[];
}

/** Banque, caisse and régies at the end, from the lines' own fields (not the definition's compute). */
function closingBalances(lines: Iterable<LineInput>, opening: { banque: number; caisse: number }) {
  const b = { banque: opening.banque, caisse: opening.caisse, regie: 0 };
  for (const l of lines) {
    const a = l.amount;
    if (l.kind === 'recette') b[l.account] += a;
    else if (l.kind === 'depense') b[l.account] -= a;
    else if (l.kind === 'depot') [b.caisse, b.banque] = [b.caisse - a, b.banque + a];
    else if (l.kind === 'retrait') [b.banque, b.caisse] = [b.banque - a, b.caisse + a];
    else if (l.kind === 'regie_versee') [b[l.account], b.regie] = [b[l.account] - a, b.regie + a];
    else if (l.kind === 'regie_remboursee') [b.regie, b[l.account]] = [b.regie - a, b[l.account] + a];
  }
  return b;
}

/** Produits − charges, from the lines' ventilation and the chart's sides. */
function resultOf(lines: Iterable<LineInput>): number {
  const side = new Map(DEFAULT_CHART.map((c) => [c.code, c.side]));
  let result = 0;
  for (const l of lines) {
    if (l.kind !== 'recette' && l.kind !== 'depense') continue;
    for (const p of l.ventilation) result += side.get(p.chapter) === 'produit' ? p.amount : -p.amount;
  }
  return result;
}

/** How the bank shows a cahier line: its label, the day it books it, the cheque number. */
function onTheBank(l: LineInput, n: number): StatementLine {
  const amount = bankAmount(l);
  const later = (days: number) => (addDays(l.date, days) > END ? END : addDays(l.date, days));
  const bankRef = `CC${String(n).padStart(6, '0')}`;
  const who = l.libelle.split(' – ')[0]!.toUpperCase();
  if (l.mode === 'cheque' && amount < 0)
    return { date: later(5), amount, label: `CHEQUE N°${l.cheque}`, cheque: l.cheque ?? null, bankRef };
  if (l.mode === 'cheque') return { date: later(2), amount, label: 'REMISE DE CHEQUES', cheque: null, bankRef };
  if (l.kind === 'depot') return { date: later(1), amount, label: 'VERSEMENT ESPECES AGENCE', cheque: null, bankRef };
  if (l.kind === 'retrait') return { date: l.date, amount, label: 'RETRAIT DAB', cheque: null, bankRef };
  if (l.mode === 'carte') return { date: later(1), amount, label: `CB ${who}`, cheque: null, bankRef };
  if (l.mode === 'prelevement') return { date: later(1), amount, label: `PRLV SEPA ${who}`, cheque: null, bankRef };
  return { date: l.date, amount, label: `VIR SEPA ${who}`, cheque: null, bankRef };
}

const monthEnd = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

describe.each(DATABASES)('a generated year closed through the API on $name', (kind) => {
  const year = generateYear({ exercise: EXERCISE, seed: 12, perMonth: 10 });
  const base = `/api/coops/${COOP}/exercises/${EXERCISE}`;
  const next = `/api/coops/${COOP}/exercises/${EXERCISE + 1}`;
  let service: TestService;
  let api: Client;
  let tresorier: Client;
  let today = new Date(2026, 8, 1, 12); // 1 September 2026

  /** The cahier as this test wrote it, by line id: the closing balances are summed from it. */
  const cahier = new Map<string, LineInput>();
  const idOfPj = new Map<string, string>();
  for (const { pointed: _p, ...line } of year.lines) {
    const id = uuid();
    cahier.set(id, line);
    idOfPj.set(line.pj, id);
  }
  const idOf = (l: LineInput) => idOfPj.get(l.pj)!;
  let lastPj = year.lines.length;
  const nextPj = () => String(++lastPj).padStart(3, '0');

  const bank = year.lines.filter((l) => bankAmount(l) !== 0);
  const chequesPaid = bank.filter((l) => l.kind === 'depense' && l.mode === 'cheque');
  // Written on an August day, cashed in September: outstanding at the closing.
  const uncashed = chequesPaid.filter((l) => l.date >= '2026-08-01').at(-1)!;
  // Written in the autumn, never cashed (lost): to be cancelled.
  const lost = chequesPaid.find(
    (l) => l.date < '2026-01-01' && !l.action && l.ventilation.length === 1 && l.ventilation[0]!.chapter !== '6800',
  )!;
  // The last two cash receipts, still in the workbook's queue when the year is first synced.
  const held = year.lines.filter((l) => l.kind === 'recette' && l.account === 'caisse').slice(-2);
  // The last teacher's purchases with a régie d'avance.
  const regieExpense = year.lines.filter((l) => l.kind === 'depense' && l.account === 'regie').at(-1)!;

  /** Every bank line but the uncashed and the lost cheques, and the fees: the statements' lines. */
  const statementLines = [
    ...bank.filter((l) => l !== uncashed && l !== lost).map((l, i) => ({ line: onTheBank(l, i), pj: l.pj })),
    { line: { ...FEES, bankRef: 'CC999999' }, pj: null },
  ].sort((a, b) => a.line.date.localeCompare(b.line.date));
  const months = [...new Set(statementLines.map((s) => s.line.date.slice(0, 7)))].sort();

  const closure = async (query = '') => {
    const r = await api.request<ClosureBody>('GET', `${base}/closure${query}`);
    expect(r.status).toBe(200);
    return r.body;
  };
  const errors = async (query = '') =>
    (await closure(query)).problems.filter((p) => p.severity === 'error').map((p) => p.code);
  const problem = async (code: string) => (await closure()).problems.find((p) => p.code === code);
  const without = (codes: string[], code: string) => codes.filter((c) => c !== code);
  const versionOf = async (id: string) =>
    (await api.request<{ version: number }>('GET', `${base}/lines/${id}`)).body.version;
  const put = async (id: string, line: LineInput, expected: number) => {
    const r = await api.put(COOP, id, line, cahier.has(id) ? await versionOf(id) : undefined);
    expect([r.status, r.body.errors ?? null]).toEqual([expected, null]);
    return r.body as { status: 'draft' | 'validated'; version: number };
  };
  const remove = async (id: string) => {
    const r = await api.request('DELETE', `${base}/lines/${id}`, undefined, { 'If-Match': `"${await versionOf(id)}"` });
    expect(r.status).toBe(200);
    cahier.delete(id);
  };
  const sync = async (lines: LineInput[]) => {
    for (let i = 0; i < lines.length; i += 100) {
      const batch = lines.slice(i, i + 100).map((l) => ({ id: idOf(l), line: cahier.get(idOf(l)) }));
      const r = await api.request('POST', `${base}/sync`, { lines: batch });
      expect(r.status).toBe(200);
      expect(r.body.counts).toMatchObject({ conflict: 0, invalid: 0 });
    }
  };
  const acceptAll = async (statement: number) => {
    const detail = await api.request<{ proposals: Proposal[]; unmatched: unknown[] }>(
      'GET',
      `${base}/statements/${statement}`,
    );
    if (detail.body.proposals.length) {
      const accept = detail.body.proposals.map((p) => ({
        statementLine: p.statementLine.id,
        lines: p.lines.map((l) => ({ id: l.id, version: l.version })),
      }));
      expect((await api.request('POST', `${base}/statements/${statement}/accept`, { accept })).status).toBe(200);
    }
    return detail.body;
  };
  const archives = async () => {
    const r = await api.request<ArchiveEntry[]>('GET', `${base}/archives`);
    expect(r.status).toBe(200);
    return r.body;
  };

  beforeAll(async () => {
    service = await startTestService(kind, { now: () => today });
    const coop = await addCoop(service.db, { number: COOP, name: 'École Louise Michel', department: '87' });
    await addUser(service.db, { login: LOGINS.mandataire, password: PASSWORD, coop: COOP });
    await addUser(service.db, { login: LOGINS.tresorier, password: PASSWORD, department: '87' });
    await openExercise(service.db, coop.id, EXERCISE, year.opening);
    api = await new Client(service.url).login(LOGINS.mandataire, PASSWORD);
    tresorier = await new Client(service.url).login(LOGINS.tresorier, PASSWORD);
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
  });

  it('the generated year has what the checks need', () => {
    expect(year.lines.length).toBeLessThan(200);
    expect([uncashed, lost, regieExpense].every(Boolean)).toBe(true);
    expect(held).toHaveLength(2);
    expect(bank.some((l) => bankAmount(l) === FEES.amount)).toBe(false);
    // One cahier line for each amount the bank shows: the expected match of each is known.
    expect(new Set(bank.map(bankAmount)).size).toBe(bank.length);
  });

  it('syncs the year (but two lines still queued in the workbook); the closure is refused', async () => {
    await sync(year.lines.filter((l) => !held.includes(l)));
    const stored = await api.request<{ lines: { id: string; status: string }[] }>('GET', `${base}/lines`);
    expect(stored.body.lines).toHaveLength(year.lines.length - 2);
    expect(stored.body.lines.every((l) => l.status === 'validated')).toBe(true);
    expect(await errors()).toEqual([
      'releve_manquant',
      'pointage_ancien',
      'caisse_non_comptee',
      'subvention_non_rattachee',
      'inventaire_manquant',
    ]);
    const refused = await api.request('POST', `${base}/closure`);
    expect([refused.status, refused.body.code]).toEqual([409, 'cloture_impossible']);
    expect(refused.body.problems.map((p: Problem) => p.code)).toContain('releve_manquant');
  }, 60_000);

  it('releve_manquant until the monthly statements are imported (OFX), the one of 31 August then checked', async () => {
    expect((await problem('releve_manquant'))!.message).toContain('31/08/2026');
    let balance = year.opening.banque;
    for (const month of months) {
      const lines = statementLines.filter((s) => s.line.date.startsWith(month)).map((s) => s.line);
      balance += lines.reduce((s, l) => s + l.amount, 0);
      const file = toOfx2({
        format: 'ofx',
        account: '00012340555',
        period: { from: `${month}-01`, to: monthEnd(month) },
        openingBalance: null,
        closingBalance: balance,
        lines,
      });
      const r = await api.request('POST', `${base}/statements?name=releve-${month}.ofx`, file, {
        'content-type': 'application/octet-stream',
      });
      expect([month, r.status, r.body.lines?.new]).toEqual([month, 201, lines.length]);
      if (month === months[0]) expect(await errors()).not.toContain('releve_manquant');
    }
    const c = await closure();
    expect(c.figures.statement).toEqual({ date: END, balance, source: 'import' });
    // Nothing pointed yet: every line of the statements is a gap.
    expect(c.problems.filter((p) => p.severity === 'error').map((p) => p.code)).toContain('rapprochement_ecart');
  }, 60_000);

  it('the proposals of each statement name the lines the bank saw; accepted, the fees alone remain', async () => {
    const expectedLine = new Map(
      statementLines.map((s) => [`${s.line.date}|${s.line.amount}|${s.line.label}`, s.pj && idOfPj.get(s.pj)]),
    );
    const list = await api.request<{ id: number; period: { to: string } }[]>('GET', `${base}/statements`);
    expect(list.body).toHaveLength(months.length);
    const unmatched: { statementLine: { amount: number } }[] = [];
    for (const s of [...list.body].reverse()) {
      const detail = await acceptAll(s.id);
      for (const p of detail.proposals) {
        const key = `${p.statementLine.date}|${p.statementLine.amount}|${p.statementLine.label}`;
        expect([key, p.lines.map((l) => l.id)]).toEqual([key, [expectedLine.get(key)]]);
      }
      unmatched.push(...(detail.unmatched as typeof unmatched));
    }
    expect(unmatched.map((u) => u.statementLine.amount)).toEqual([FEES.amount]);
    const stored = await api.request<{ lines: { id: string; pointed: boolean }[] }>('GET', `${base}/lines`);
    const pointed = stored.body.lines.filter((l) => l.pointed).map((l) => l.id);
    const seen = statementLines.flatMap((s) => (s.pj ? [idOfPj.get(s.pj)!] : []));
    expect(pointed.sort()).toEqual(seen.sort());
    expect(await errors()).toEqual([
      'rapprochement_ecart',
      'pointage_ancien',
      'caisse_non_comptee',
      'subvention_non_rattachee',
      'inventaire_manquant',
    ]);
  }, 60_000);

  it('date_trop_tot before 31 August, gone on the 31st', async () => {
    const baseline = await errors();
    today = new Date(2026, 7, 30, 12);
    const c = await closure();
    expect(c.date).toBe('2026-08-30');
    expect(c.problems.find((p) => p.code === 'date_trop_tot')!.message).toContain('31/08/2026');
    expect(without(await errors(), 'date_trop_tot')).toEqual(baseline);
    const refused = await api.request('POST', `${base}/closure`);
    expect(refused.body.problems.map((p: Problem) => p.code)).toContain('date_trop_tot');
    today = new Date(2026, 7, 31, 9);
    expect(await errors()).toEqual(baseline);
    today = new Date(2026, 8, 2, 12); // 2 September 2026 from now on
  });

  it('lignes_brouillon: an invoice left without its chapter; deleted, the check passes', async () => {
    const baseline = await errors();
    const id = uuid();
    const invoice: LineInput = {
      pj: nextPj(),
      date: '2026-08-31',
      libelle: 'Papeterie Centrale – Facture n°2291',
      mode: 'carte',
      cheque: null,
      action: null,
      kind: 'depense',
      account: 'banque',
      amount: 2_350,
      ventilation: [],
    };
    expect((await put(id, invoice, 201)).status).toBe('draft');
    cahier.set(id, invoice);
    const p = await problem('lignes_brouillon');
    expect(p).toMatchObject({ severity: 'error', lines: [id] });
    expect(p!.message).toContain(invoice.pj);
    expect(without(await errors(), 'lignes_brouillon')).toEqual(baseline);
    await remove(id);
    expect(await errors()).toEqual(baseline);
  });

  it('file_attente while the workbook still queues lines; once they are synced, it passes', async () => {
    const baseline = await errors();
    const c = await closure('?pending=2');
    expect(c.problems.find((p) => p.code === 'file_attente')!.message).toMatch(/^2 lignes du classeur attendent/);
    expect(without(await errors('?pending=2'), 'file_attente')).toEqual(baseline);
    await sync(held);
    expect(await errors('?pending=0')).toEqual(baseline);
    expect(await errors()).toEqual(baseline);
  });

  it('rapprochement_ecart: the bank fees nobody entered; entered from the suggestion and pointed, the gap is nil', async () => {
    const baseline = await errors();
    const before = await closure();
    expect(before.figures.reconciliationGap).toBe(FEES.amount);
    const p = before.problems.find((x) => x.code === 'rapprochement_ecart')!;
    expect(p.message).toContain(formatEuros(FEES.amount));
    // The uncashed and the lost cheques are outstanding: the état de rapprochement lists them.
    expect([...p.lines].sort()).toEqual([idOf(uncashed), idOf(lost)].sort());

    const list = await api.request<{ id: number; period: { to: string } }[]>('GET', `${base}/statements`);
    const march = list.body.find((s) => s.period.to === '2026-03-31')!;
    const detail = await api.request<{ unmatched: { suggestion: Omit<LineInput, 'pj'> | null }[] }>(
      'GET',
      `${base}/statements/${march.id}`,
    );
    expect(detail.body.unmatched).toHaveLength(1);
    const suggestion = detail.body.unmatched[0]!.suggestion!;
    expect(suggestion).toMatchObject({ date: FEES.date, amount: -FEES.amount, account: 'banque' });
    const fees: LineInput = { ...suggestion, pj: nextPj(), kind: 'depense' };
    if (!fees.ventilation.length) fees.ventilation = [{ chapter: '6500', amount: fees.amount }];
    const id = uuid();
    expect((await put(id, fees, 201)).status).toBe('validated');
    cahier.set(id, fees);
    const accepted = await acceptAll(march.id);
    expect(accepted.proposals.map((x) => x.lines.map((l) => l.id))).toEqual([[id]]);

    const after = await closure();
    expect(after.figures.reconciliationGap).toBe(0);
    expect(await errors()).toEqual(without(baseline, 'rapprochement_ecart'));
  });

  it('pointage_ancien: the cheque lost in the autumn; cancelled, the check passes and the gap stays nil', async () => {
    const baseline = await errors();
    const p = await problem('pointage_ancien');
    expect(p!.lines).toEqual([idOf(lost)]);
    expect(p!.message).toContain(lost.pj);
    await remove(idOf(lost));
    const c = await closure();
    expect(c.figures.reconciliationGap).toBe(0);
    expect(await errors()).toEqual(without(baseline, 'pointage_ancien'));
  });

  it('caisse_non_comptee without arrêté; caisse_ecart when the last count is short; recounted, both pass', async () => {
    const baseline = await errors();
    expect(baseline).toContain('caisse_non_comptee');
    const counts = year.cashCounts;
    const last = counts.at(-1)!;
    expect(last.date).toBe(END);
    for (const c of counts.slice(0, -1)) {
      expect((await api.request('PUT', `${base}/cash-counts/${c.date}`, { counts: c.counts })).status).toBe(201);
    }
    // A coin (the smallest there is) missed in the count of 31 August.
    const short = { ...last.counts };
    const coin = Object.keys(short)
      .filter((k) => short[k]! > 0)
      .sort((a, b) => Number(a) - Number(b))[0]!;
    short[coin] = short[coin]! - 1;
    expect((await api.request('PUT', `${base}/cash-counts/${END}`, { counts: short })).status).toBe(201);
    const p = await problem('caisse_ecart');
    expect(p).toMatchObject({ severity: 'error' });
    expect(p!.message).toContain(`${formatEuros(Number(coin))} de moins que le cahier`);
    expect(await errors()).toEqual(baseline.map((c) => (c === 'caisse_non_comptee' ? 'caisse_ecart' : c)));
    const recount = await api.request('PUT', `${base}/cash-counts/${END}`, { counts: last.counts });
    expect([recount.status, recount.body.gap, recount.body.ok]).toEqual([200, 0, true]);
    expect(await errors()).toEqual(without(baseline, 'caisse_non_comptee'));
  });

  it('subvention_non_rattachee, then subvention_a_justifier; attached and justified, both pass', async () => {
    const baseline = await errors();
    expect(baseline).toContain('subvention_non_rattachee');
    for (const { receipts, uses, received: _r, spent: _s, ...input } of year.subsidies) {
      const created = await api.request('POST', `${base}/subsidies`, input);
      expect(created.status).toBe(201);
      for (const [role, refs] of [
        ['receipt', receipts],
        ['use', uses],
      ] as const) {
        for (const l of refs) {
          const r = await api.request('POST', `${base}/subsidies/${created.body.id}/lines`, {
            line: idOfPj.get(l.pj),
            role,
          });
          expect(r.status).toBe(201);
        }
      }
    }
    // The parents' association's subsidy is still to be justified.
    const p = await problem('subvention_a_justifier');
    expect(p!.message).toContain('Classe de mer');
    expect(await errors()).toEqual(
      baseline.map((c) => (c === 'subvention_non_rattachee' ? 'subvention_a_justifier' : c)),
    );
    const book = await api.request<{ subsidies: ({ id: number; version: number; state: string } & object)[] }>(
      'GET',
      `${base}/subsidies`,
    );
    for (const { id, version, state, ...rest } of book.body.subsidies) {
      if (state === 'justifiee') continue;
      const { receipts: _a, uses: _b, received: _c, spent: _d, ...input } = rest as Record<string, unknown>;
      const body = { ...input, state: 'justifiee', justifiedOn: '2026-08-31' };
      const r = await api.request('PUT', `${base}/subsidies/${id}`, body, { 'If-Match': `"${version}"` });
      expect(r.status).toBe(200);
    }
    expect(await errors()).toEqual(without(baseline, 'subvention_non_rattachee'));
  });

  it('inventaire_manquant until the durable goods are in the inventory', async () => {
    const baseline = await errors();
    const p = await problem('inventaire_manquant');
    const durable = year.lines.filter((l) => l.ventilation.some((v) => v.chapter === '6800'));
    expect([...p!.lines].sort()).toEqual(durable.map(idOf).sort());
    for (const item of year.inventory) {
      const lines = item.lines.map((l) => idOfPj.get(l.pj));
      expect((await api.request('POST', `/api/coops/${COOP}/inventory`, { ...item, lines })).status).toBe(201);
    }
    expect(await errors()).toEqual(without(baseline, 'inventaire_manquant'));
  });

  it('regie_non_soldee when a teacher’s purchases are entered 10 € short; corrected, it passes', async () => {
    const baseline = await errors();
    expect(baseline).toEqual([]);
    const id = idOf(regieExpense);
    const original = cahier.get(id)!;
    const [first, ...rest] = original.ventilation;
    const short: LineInput = {
      ...original,
      amount: original.amount - 1_000,
      ventilation: [{ ...first!, amount: first!.amount - 1_000 }, ...rest],
    };
    expect((await put(id, short, 200)).status).toBe('validated');
    const p = await problem('regie_non_soldee');
    expect(p!.message).toContain(regieExpense.holder!);
    expect(p!.message).toContain(`${formatEuros(1_000)} restent à justifier`);
    expect(p!.lines).toContain(id);
    expect(await errors()).toEqual(['regie_non_soldee']);
    await put(id, original, 200);
    expect(await errors()).toEqual([]);
  });

  it('closes: read-only, the next exercise opened with the closing balances summed from the lines', async () => {
    const c = await closure();
    expect(c.canClose).toBe(true);
    const expected = closingBalances(cahier.values(), year.opening);
    expect(expected.regie).toBe(0);
    const r = await api.request('POST', `${base}/closure`);
    expect(r.status).toBe(200);
    expect(r.body.exercise.status).toBe('closed');
    expect(r.body.closing).toBe(1);
    expect(r.body.figures.balances).toEqual(expected);
    expect(r.body.figures.result).toBe(resultOf(cahier.values()));
    expect(r.body.next).toMatchObject({
      year: EXERCISE + 1,
      status: 'open',
      opening: { banque: expected.banque, caisse: expected.caisse },
    });
    expect((await api.request('GET', next)).body.opening).toEqual({ banque: expected.banque, caisse: expected.caisse });
    const write = await api.put(COOP, uuid(), { ...cahier.get(idOf(regieExpense))!, pj: nextPj() });
    expect([write.status, write.body.code]).toEqual([409, 'exercice_clos']);
    // The compte rendu archived is final and shows the same result.
    const crf = (await archives()).find((a) => a.kind === 'crf' && a.format === 'json')!;
    const doc = await api.request('GET', `${base}/archives/${crf.id}`);
    expect(doc.body.provisional).toBe(false);
    expect(doc.body.compteDeFonctionnement.resultat).toBe(resultOf(cahier.values()));
    expect(doc.body.bilan).toMatchObject({ banque: expected.banque, caisse: expected.caisse, ecart: 0 });
  }, 60_000);

  it('lists the uncashed cheque in the new exercise; pointed there, the new état de rapprochement is right', async () => {
    const amount = uncashed.amount;
    const opening = closingBalances(cahier.values(), year.opening).banque;
    const r = await api.request('GET', `${next}/outstanding`);
    expect(r.status).toBe(200);
    expect(r.body.from).toBe('2025-2026');
    expect(r.body.items).toEqual([
      expect.objectContaining({
        id: idOf(uncashed),
        pj: uncashed.pj,
        cheque: uncashed.cheque,
        direction: 'depense',
        amount,
        cleared: null,
      }),
    ]);
    expect((await api.request('GET', `${next}/lines`)).body.lines).toEqual([]);
    const rec = async (date: string) => (await api.request('GET', `${next}/reconciliation?date=${date}`)).body;
    const before = await rec('2026-09-30');
    expect(before.cahierBalance).toBe(opening);
    expect(before.outstanding.payments).toMatchObject({
      total: amount,
      lines: [expect.objectContaining({ id: idOf(uncashed), carriedOver: true })],
    });
    expect(before.expectedStatementBalance).toBe(opening + amount);

    today = new Date(2026, 8, 12, 12); // cashed on 12 September
    const pointed = await api.request('POST', `${next}/outstanding/${idOf(uncashed)}/pointage`, { pointed: true });
    expect(pointed.status).toBe(200);
    expect(pointed.body.cleared).toEqual({ on: '2026-09-12', by: LOGINS.mandataire });
    const after = await rec('2026-09-30');
    expect(after.outstanding.payments).toEqual({ lines: [], total: 0 });
    expect(after.expectedStatementBalance).toBe(opening);
    expect((await rec('2026-09-05')).outstanding.payments.total).toBe(amount);
    expect((await api.request('GET', `${next}/outstanding`)).body.total.nonPointees).toEqual({
      depenses: 0,
      recettes: 0,
    });
    // The closed year is untouched.
    expect((await api.request('GET', `${base}/lines/${idOf(uncashed)}`)).body.pointed).toBe(false);
  });

  it('reopens for the trésorier départemental only, with a reason', async () => {
    const refused = await api.request('POST', `${base}/closure/reopen`, { reason: 'Facture oubliée' });
    expect([refused.status, refused.body.code]).toEqual([403, 'reservee_au_tresorier']);
    const noReason = await tresorier.request('POST', `${base}/closure/reopen`, {});
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors[0].field).toBe('reason');
    const blank = await tresorier.request('POST', `${base}/closure/reopen`, { reason: '   ' });
    expect(blank.status).toBe(422);
    expect((await api.request('GET', base)).body.status).toBe('closed');

    const reason = 'Paiement par carte du 28 août oublié';
    const reopened = await tresorier.request('POST', `${base}/closure/reopen`, { reason });
    expect(reopened.status).toBe(200);
    expect(reopened.body.status).toBe('open');
    const history = await api.request('GET', `${base}/history`);
    expect(history.body.at(-1)).toMatchObject({ action: 'reopen', login: LOGINS.tresorier, reason });
  });

  it('closes again with the forgotten payment: the report à nouveau follows, last year’s items too', async () => {
    const before = await archives();
    const id = uuid();
    const forgotten: LineInput = {
      pj: nextPj(),
      date: '2026-08-28',
      libelle: 'Cars Ribière – acompte sortie de fin d’année',
      mode: 'carte',
      cheque: null,
      action: null,
      kind: 'depense',
      account: 'banque',
      amount: 4_500,
      ventilation: [{ chapter: '6180', amount: 4_500 }],
    };
    await put(id, forgotten, 201);
    cahier.set(id, forgotten);
    // Debited in September: outstanding at 31 August, the état de rapprochement still agrees.
    expect((await closure()).figures.reconciliationGap).toBe(0);

    const closed = await tresorier.request('POST', `${base}/closure`);
    expect(closed.status).toBe(200);
    expect(closed.body.closing).toBe(2);
    const expected = closingBalances(cahier.values(), year.opening);
    expect(closed.body.next.opening).toEqual({ banque: expected.banque, caisse: expected.caisse });
    expect((await api.request('GET', next)).body.opening.banque).toBe(expected.banque);
    const outstanding = await api.request('GET', `${next}/outstanding`);
    expect(outstanding.body.items.map((i: { id: string; cleared: unknown }) => [i.id, i.cleared !== null])).toEqual([
      [idOf(uncashed), true],
      [id, false],
    ]);
    expect(outstanding.body.total.nonPointees).toEqual({ depenses: 4_500, recettes: 0 });

    const list = await archives();
    expect(list.slice(0, before.length)).toEqual(before);
    expect(list.length).toBe(2 * before.length);
    expect(list.slice(before.length).every((a) => a.closing === 2 && a.createdBy === LOGINS.tresorier)).toBe(true);
  }, 60_000);

  it('lists the archives; every document downloaded has the sha256 listed and sent', async () => {
    const list = await archives();
    expect(list.filter((a) => a.closing === 1).map((a) => `${a.kind}.${a.format}`)).toEqual(
      expect.arrayContaining(['cloture.json', 'crf.json', 'crf.xlsx', 'crf.pdf', 'cahier.pdf']),
    );
    for (const a of list) {
      const res = await fetch(`${service.url}${base}/archives/${a.id}`, {
        headers: { authorization: `Bearer ${api.token}` },
      });
      expect(res.status).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      const hash = createHash('sha256').update(bytes).digest('hex');
      expect([a.name, hash, bytes.length, res.headers.get('x-content-sha256')]).toEqual([
        a.name,
        a.sha256,
        a.size,
        a.sha256,
      ]);
    }
    const figures = async (closing: number) =>
      (
        await api.request(
          'GET',
          `${base}/archives/${list.find((a) => a.kind === 'cloture' && a.closing === closing)!.id}`,
        )
      ).body.figures.balances.banque;
    expect((await figures(1)) - (await figures(2))).toBe(4_500);
    const all = await api.request('GET', `/api/coops/${COOP}/archives`);
    expect(all.body).toEqual([{ year: EXERCISE, exercise: '2025-2026', status: 'closed', documents: list }]);
  }, 60_000);
});
