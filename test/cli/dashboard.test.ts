/**
 * `cahier dashboard`: the department's dashboard on its server — a French table with the totals,
 * --json exactly what the API answers, the filter, exit codes 0 / 1 / 2 and the help.
 */
import { PassThrough } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../server/cli/main';
import { openDb } from '../../server/db/connect';
import { migrate } from '../../server/db/migrate';
import { addCoop, addUser, COMMAND_LINE_PRINCIPAL, openExercise } from '../../server/operations/accounts';
import { syncLines } from '../../server/operations/lines';
import { startService, type RunningService } from '../../server/service';
import { DASHBOARD_COLUMNS, DEFAULT_CHART, defaultDashboardExercise } from '../../templates/definition';
import { isoDay } from '../../server/operations/closure';
import { Client, expense, uuid } from '../api/harness';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const stdin = new PassThrough();
  stdin.end();
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), stdin });
  return { code, out, err };
}

describe('cahier dashboard', () => {
  let dir: string;
  let url: string;
  const year = defaultDashboardExercise(isoDay(new Date()));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cahier-dashboard-'));
    url = `sqlite:${join(dir, 'd.sqlite')}`;
    const db = await openDb(url);
    try {
      await migrate(db);
      const busy = await addCoop(db, { number: '069-0101', name: 'École Jean Moulin', department: '69' });
      await addCoop(db, { number: '069-0102', name: 'École des Lilas', department: '69' });
      await addCoop(db, { number: '013-0101', name: 'École du Port', department: '13' });
      const exercise = await openExercise(db, busy.id, year, { banque: 10_000, caisse: 0 });
      const scope = { db, principal: COMMAND_LINE_PRINCIPAL, exercise, chart: DEFAULT_CHART };
      const date = `${year}-10-02`;
      await syncLines(scope, [
        { id: uuid(), line: { ...expense('01', 1_500), date } },
        { id: uuid(), line: { ...expense('02', 900), date, ventilation: [{ chapter: '6180', amount: 800 }] } },
      ]);
      await addUser(db, { login: 'admin.cli', password: 'mot-de-passe-cli', role: 'admin' });
    } finally {
      await db.close();
    }
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a French table, what needs attention first, and the totals', async () => {
    const r = await run('dashboard', '--department', '69', '--db', url);
    expect([r.code, r.err]).toEqual([0, '']);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^Département 69, exercice ${year}-${year + 1} \\(au \\d\\d/\\d\\d/\\d{4}\\)$`),
    );
    for (const c of DASHBOARD_COLUMNS) expect(lines[2]).toContain(c.header);
    const first = lines.findIndex((l) => l.startsWith('069-0101'));
    const second = lines.findIndex((l) => l.startsWith('069-0102'));
    expect(first).toBeGreaterThan(2);
    expect(second).toBeGreaterThan(first);
    expect(lines[first]).toContain('Clôture bloquée');
    expect(lines[first]).toContain('lignes_brouillon');
    expect(lines[second]).toContain('Rien de saisi');
    expect(r.out).not.toContain('013-0101');
    expect(r.out).toContain(
      'Total : 2 coopératives (clôture bloquée 1, rien de saisi 1, prête à clôturer 0, clôturée 0) ;',
    );
    expect(r.out).toContain('2 lignes, 1 brouillons, 1 lignes de banque non pointées');
  });

  test('--json is exactly what the API answers', async () => {
    const service: RunningService = await startService({ dbUrl: url, port: 0, sessionHours: 1 });
    try {
      const api = await new Client(service.url).login('admin.cli', 'mot-de-passe-cli');
      const answered = await api.request('GET', `/api/departments/69/dashboard?exercise=${year}`);
      expect(answered.status).toBe(200);
      const r = await run('dashboard', '--department', '69', '--exercise', String(year), '--json', '--db', url);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toEqual(answered.body);
      const filtered = await run('dashboard', '--department', '69', '--state', 'vide', '--json', '--db', url);
      expect(JSON.parse(filtered.out).coops.map((c: { number: string }) => c.number)).toEqual(['069-0102']);
      expect(JSON.parse(filtered.out).totals).toEqual(answered.body.totals);
    } finally {
      await service.close();
    }
  });

  test('exit codes: 1 for an unknown department, 2 for wrong usage; --help', async () => {
    const unknown = await run('dashboard', '--department', '99', '--db', url);
    expect([unknown.code, unknown.err]).toEqual([1, 'Erreur : Le département 99 est introuvable.\n']);
    expect((await run('dashboard', '--db', url)).code).toBe(2);
    const state = await run('dashboard', '--department', '69', '--state', 'perdu', '--db', url);
    expect([state.code, state.err]).toEqual([2, expect.stringContaining('--state attend bloque, vide, pret, cloture')]);
    expect((await run('dashboard', '--department', '69', '--exercise', '25', '--db', url)).code).toBe(2);
    const help = await run('dashboard', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage : cahier dashboard --department CODE');
    expect((await run('--help')).out).toContain('dashboard');
  });
});
