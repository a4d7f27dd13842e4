import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import type { Input } from '../../server/cli/command';
import { COMMANDS, main } from '../../server/cli/main';
import { demoLegacyCahier } from '../../server/demo/legacy';
import { readLegacyFile } from '../../server/formats/legacy';
import { DEMO_LOGINS } from '../../server/demo/seed';
import { openDb } from '../../server/db/connect';
import { migrate } from '../../server/db/migrate';
import { login } from '../../server/operations/sessions';
import {
  DEFAULT_CHART,
  HEADER_ROW,
  NAMES,
  SHEETS,
  TABLE_NAME,
  cahierLayout,
  col,
  readLegacy,
} from '../../templates/definition';

const BIN = join(__dirname, '../../bin/cahier.js');

/** A pipe on the standard input, holding `text`. */
function pipe(text = ''): Input {
  const stream = new PassThrough();
  stream.end(text);
  return stream;
}

/** A terminal on the standard input: it records its raw mode, and what is typed while in it. */
class Terminal extends PassThrough {
  readonly isTTY = true;
  raw = false;
  typedOutsideRawMode = '';
  setRawMode(raw: boolean): this {
    this.raw = raw;
    return this;
  }
  type(keys: string): void {
    if (!this.raw) this.typedOutsideRawMode += keys;
    this.write(keys);
  }
}

async function runWith(stdin: Input, ...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), stdin });
  return { code, out, err };
}

/** The command with an empty pipe on its standard input. */
const run = (...argv: string[]) => runWith(pipe(), ...argv);

async function until(done: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`Attendu : ${what}`);
    await new Promise((ok) => setTimeout(ok, 10));
  }
}

/** Whether the login opens a session with this password (the service's own operation). */
async function logsIn(db: string, user: string, password: string): Promise<boolean> {
  const d = await openDb(db);
  try {
    await migrate(d);
    return (await login(d, user, password, '192.0.2.1', 1)).user.login === user;
  } catch (e) {
    if ((e as { status?: number }).status === 401) return false;
    throw e;
  } finally {
    await d.close();
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((ok) => child.once('exit', (code) => ok(code)));
}

/** A database with the coop 087-0300. */
async function dbWithCoop(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cahier-cli-user-'));
  const db = `sqlite:${join(dir, 'c.sqlite')}`;
  const r = await run('coop', 'add', '--number', '087-0300', '--name', 'Coop', '--department', '87', '--db', db);
  expect(r.code).toBe(0);
  return db;
}

const hasScript = spawnSync('script', ['--version']).status === 0;
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('la commande cahier', () => {
  test('--help lists the commands', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Commandes :');
    expect(r.out).toMatch(/template\s+crée le classeur modèle/);
  });

  test('each command has --help', async () => {
    const r = await run('template', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage : cahier template [options]');
    expect(r.out).toContain('-o, --out FICHIER');
  });

  test('errors are French, on stderr, with a non-zero exit', async () => {
    expect(COMMANDS.map((c) => c.name)).toEqual(
      expect.arrayContaining(['start', 'serve', 'coop', 'user', 'template', 'statement', 'report', 'closure']),
    );
    expect(await run('inventer')).toMatchObject({
      code: 2,
      err: `Commande inconnue : inventer. Commandes : ${COMMANDS.map((c) => c.name).join(', ')}. Voir : cahier --help\n`,
    });
    expect(await run('template', '--sans-objet')).toMatchObject({
      code: 2,
      err: 'Erreur : Option inconnue : --sans-objet. Voir : cahier template --help\n',
    });
    expect((await run('template', '--exercice', '25-26')).err).toBe(
      'Erreur : --exercice attend l’année de début de l’exercice (ex. : 2025 pour 2025-2026), pas « 25-26 ».\n',
    );
    expect((await run('template', '--banque', '12,345')).err).toBe(
      'Erreur : --banque : Le montant « 12,345 » a plus de deux décimales.\n',
    );
    // A file where a folder should be: the workbook cannot be written.
    const dir = await mkdtemp(join(tmpdir(), 'cahier-cli-'));
    await writeFile(join(dir, 'fichier'), 'x');
    const blocked = await run('template', '--out', join(dir, 'fichier', 'x.xlsx'));
    expect(blocked.code).toBe(1);
    expect(blocked.err).toMatch(/^Erreur : Impossible d’écrire .*x\.xlsx/);
  });

  test('template --out writes the workbook with the coop’s data', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cahier-cli-'));
    const file = join(dir, 'modele.xlsx');
    const r = await run(
      'template',
      '--out',
      file,
      '--exercice',
      '2025',
      '--nom',
      'Coop Jules Ferry',
      '--banque',
      '1 234,56',
    );
    expect(r).toMatchObject({ code: 0, out: `Modèle du cahier 2025-2026 écrit : ${file}\n` });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile(file)) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(Object.values(SHEETS));
    const cahier = wb.getWorksheet(SHEETS.cahier)!;
    expect(cahier.getTable(TABLE_NAME)).toBeDefined();
    expect(cahier.getCell(`E${HEADER_ROW}`).value).toBe('Libellé');
    expect(cahier.getRow(HEADER_ROW).cellCount).toBe(cahierLayout().columns.length);
    const coop = wb.getWorksheet(SHEETS.coop)!;
    expect(coop.getCell('B3').value).toBe('Coop Jules Ferry');
    expect(coop.getCell('B13').value).toBe(1234.56);
    expect(wb.definedNames.getRanges(NAMES.ranBanque).ranges).toEqual([`'${SHEETS.coop}'!$B$13`]);
  });

  test('coop add and user add write to the database given by --db, with French errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cahier-cli-db-'));
    const db = `sqlite:${join(dir, 'c.sqlite')}`;
    expect(
      await run('coop', 'add', '--number', '087-0200', '--name', 'Coop Test', '--department', '87', '--db', db),
    ).toMatchObject({
      code: 0,
      out: 'Coopérative 087-0200 « Coop Test » ajoutée (département 87).\n',
    });
    expect(
      (await run('coop', 'add', '--number', '087-0200', '--name', 'Bis', '--department', '87', '--db', db)).err,
    ).toBe('Erreur : La coopérative 087-0200 existe déjà.\n');
    expect(
      await runWith(
        pipe('secret-123\n'),
        'user',
        'add',
        '--login',
        'Marie',
        '--password-stdin',
        '--coop',
        '087-0200',
        '--db',
        db,
      ),
    ).toMatchObject({
      code: 0,
      out: 'Utilisateur Marie ajouté : mandataire de la coopérative 087-0200.\n',
    });
    expect(
      (
        await runWith(
          pipe('court\n'),
          'user',
          'add',
          '--login',
          'Paul',
          '--password-stdin',
          '--coop',
          '087-0200',
          '--db',
          db,
        )
      ).err,
    ).toBe('Erreur : Le mot de passe doit compter au moins 8 caractères.\n');
    expect(
      (await runWith(pipe('secret-123\n'), 'user', 'add', '--login', 'Jean', '--password-stdin', '--db', db)).code,
    ).toBe(2);
    expect(
      await runWith(
        pipe('secret-123\n'),
        'user',
        'add',
        '--login',
        'tresorier',
        '--password-stdin',
        '--department',
        '87',
        '--db',
        db,
      ),
    ).toMatchObject({ code: 0, out: 'Utilisateur tresorier ajouté : tresorier du département 87.\n' });
    expect((await run('coop', 'add', '--number', 'x', '--db', 'postgres://x')).err).toBe(
      'Erreur : L’option --name est obligatoire.\n',
    );
    expect(
      (await run('coop', 'add', '--number', 'x', '--name', 'y', '--department', '87', '--db', 'postgres://x')).err,
    ).toBe('Erreur : Base de données non prise en charge : « postgres://x » (sqlite:FICHIER ou mysql://…).\n');
  });

  describe('the password of user add is never an argument', () => {
    test('--password-stdin: the first line of the standard input; the process’s argv holds no password', async () => {
      const db = await dbWithCoop();
      const password = 'entree-standard-789';
      const child = spawn(
        process.execPath,
        [BIN, 'user', 'add', '--login', 'Zoe', '--coop', '087-0300', '--password-stdin', '--db', db],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      const exit = exited(child);
      // What `ps` shows of the running command.
      const argv = (await readFile(`/proc/${child.pid}/cmdline`, 'utf8')).split('\0');
      expect(argv).toContain('--password-stdin');
      expect(argv).toContain('Zoe');
      child.stdin!.end(`${password}\nla suite n’est pas lue\n`);
      expect(await exit).toBe(0);
      expect(err).toBe('');
      expect(out).toBe('Utilisateur Zoe ajouté : mandataire de la coopérative 087-0300.\n');
      expect(argv.join(' ')).not.toContain(password);
      expect(await logsIn(db, 'Zoe', password)).toBe(true);
      expect(await logsIn(db, 'Zoe', `${password}\n`)).toBe(false);
    });

    test('--password-stdin: a CRLF line ending is not part of the password; an empty line is refused', async () => {
      const db = await dbWithCoop();
      const args = ['user', 'add', '--coop', '087-0300', '--password-stdin', '--db', db];
      expect((await runWith(pipe('fenetres-123\r\n'), ...args, '--login', 'Win')).code).toBe(0);
      expect(await logsIn(db, 'Win', 'fenetres-123')).toBe(true);
      for (const empty of ['', '\n', '\r\nsecret-123\n']) {
        expect(await runWith(pipe(empty), ...args, '--login', 'Vide')).toEqual({
          code: 2,
          out: '',
          err:
            'Erreur : Aucun mot de passe reçu : avec --password-stdin, la première ligne de l’entrée standard ' +
            'est le mot de passe, et elle est vide.\n',
        });
      }
      expect(await logsIn(db, 'Vide', 'secret-123')).toBe(false);
    });

    test('no terminal and no --password-stdin: exit 2, with how to pass the password', async () => {
      const db = await dbWithCoop();
      const r = await runWith(pipe('secret-123\n'), 'user', 'add', '--login', 'Sans', '--coop', '087-0300', '--db', db);
      expect(r).toEqual({
        code: 2,
        out: '',
        err:
          'Erreur : Mot de passe manquant : l’entrée standard n’est pas un terminal. Tapez-le dans un terminal ' +
          '(il ne s’affiche pas), ou passez-le sur l’entrée standard avec --password-stdin ' +
          '(ex. : printf \'%s\\n\' "$MOT_DE_PASSE" | cahier user add … --password-stdin).\n',
      });
      expect(await logsIn(db, 'Sans', 'secret-123')).toBe(false);
    });

    test('--password is refused (exit 2) without repeating the password, and adds nobody', async () => {
      const db = await dbWithCoop();
      for (const args of [['--password', 'argument-secret-1'], ['--password=argument-secret-1']]) {
        const r = await run('user', 'add', '--login', 'Arg', ...args, '--coop', '087-0300', '--db', db);
        expect(r.code).toBe(2);
        expect(r.out).toBe('');
        expect(r.err).toBe(
          'Erreur : L’option --password n’existe plus : un mot de passe passé en argument est visible des autres ' +
            'utilisateurs de la machine (ps) et reste dans l’historique du shell. Ne le mettez pas dans la ' +
            'commande : tapez-le dans un terminal (il ne s’affiche pas), ou passez-le sur l’entrée standard avec ' +
            '--password-stdin (ex. : printf \'%s\\n\' "$MOT_DE_PASSE" | cahier user add … --password-stdin).\n',
        );
      }
      expect(await logsIn(db, 'Arg', 'argument-secret-1')).toBe(false);
      const help = await run('user', '--help');
      expect(help.out).toMatch(/--password-stdin\s+lit le mot de passe/);
      expect(help.out).not.toMatch(/--password\b(?!-stdin)/);
    });

    test('in a terminal: asked twice in raw mode, line editing works, nothing typed is written', async () => {
      const db = await dbWithCoop();
      const terminal = new Terminal();
      let out = '';
      let err = '';
      const done = main(['user', 'add', '--login', 'Tty', '--coop', '087-0300', '--db', db], {
        out: (t) => (out += t),
        err: (t) => (err += t),
        stdin: terminal,
      });
      await until(() => err === 'Mot de passe : ', 'la première invite');
      // A typo corrected with backspace, as a terminal sends it in raw mode.
      terminal.type('clavier-45x\x7f6\r');
      await until(() => err.endsWith('Confirmez le mot de passe : '), 'la confirmation');
      terminal.type('clavier-456\r');
      expect(await done).toBe(0);
      expect(terminal.typedOutsideRawMode).toBe('');
      expect(terminal.raw).toBe(false);
      expect(err).toBe('Mot de passe : \nConfirmez le mot de passe : \n');
      expect(out).toBe('Utilisateur Tty ajouté : mandataire de la coopérative 087-0300.\n');
      expect(await logsIn(db, 'Tty', 'clavier-456')).toBe(true);
    });

    test('in a terminal: a different confirmation, a weak password or Ctrl-C add nobody', async () => {
      const db = await dbWithCoop();
      const attempt = async (login: string, keys: string[]) => {
        const terminal = new Terminal();
        let err = '';
        const done = main(['user', 'add', '--login', login, '--coop', '087-0300', '--db', db], {
          out: () => undefined,
          err: (t) => (err += t),
          stdin: terminal,
        });
        for (const [i, k] of keys.entries()) {
          await until(() => err.split(' : \n').length > i, `l’invite ${i + 1}`);
          terminal.type(k);
        }
        const code = await done;
        expect(terminal.raw).toBe(false);
        for (const k of keys) expect(err).not.toContain(k.slice(0, -1));
        return { code, err: err.slice(err.indexOf('Erreur')) };
      };
      expect(await attempt('Diff', ['premier-123\r', 'second-456\r'])).toEqual({
        code: 1,
        err: 'Erreur : Les deux mots de passe ne correspondent pas : rien n’a été enregistré.\n',
      });
      expect(await attempt('Court', ['court\r'])).toEqual({
        code: 1,
        err: 'Erreur : Le mot de passe doit compter au moins 8 caractères.\n',
      });
      expect(await attempt('Stop', ['interrompu-1\x03'])).toEqual({
        code: 1,
        err: 'Erreur : Saisie interrompue : rien n’a été enregistré.\n',
      });
      for (const [user, password] of [
        ['Diff', 'premier-123'],
        ['Diff', 'second-456'],
        ['Court', 'court'],
        ['Stop', 'interrompu-1'],
      ] as const) {
        expect(await logsIn(db, user, password)).toBe(false);
      }
    });

    (hasScript ? test : test.skip)('in a real terminal (script): the password typed is not echoed', async () => {
      const db = await dbWithCoop();
      /** Runs a shell command in a pseudo-terminal; types each key string once `prompt` shows. */
      const inTerminal = async (command: string, steps: [prompt: string, keys: string][]) => {
        const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
        let screen = '';
        child.stdout!.on('data', (d: Buffer) => (screen += d.toString()));
        const exit = exited(child);
        let from = 0;
        for (const [prompt, keys] of steps) {
          await until(() => screen.indexOf(prompt, from) >= 0, prompt);
          from = screen.indexOf(prompt, from) + prompt.length;
          child.stdin!.write(keys);
        }
        const code = await exit;
        child.stdin!.end();
        return { code, screen };
      };
      // The harness sees what a terminal echoes: a plain read shows what is typed.
      const plain = await inTerminal('echo Tapez : ; head -n 1 > /dev/null', [['Tapez :', 'visible-123\r']]);
      expect(plain.screen).toContain('visible-123');
      const cahier = [process.execPath, BIN, 'user', 'add', '--login', 'Pty', '--coop', '087-0300', '--db', db];
      const r = await inTerminal(cahier.map(shellQuote).join(' '), [
        ['Mot de passe : ', 'terminal-456\r'],
        ['Confirmez le mot de passe : ', 'terminal-456\r'],
      ]);
      expect(r.code).toBe(0);
      expect(r.screen.replace(/\r/g, '')).toBe(
        'Mot de passe : \nConfirmez le mot de passe : \nUtilisateur Pty ajouté : mandataire de la coopérative 087-0300.\n',
      );
      expect(await logsIn(db, 'Pty', 'terminal-456')).toBe(true);
    });
  });

  test('a database password is never written back; in --db it is warned about', async () => {
    const warning =
      'Attention : le mot de passe de l’adresse --db est visible des autres utilisateurs de la machine (ps) et ' +
      'reste dans l’historique du shell. Passez plutôt l’adresse dans la variable d’environnement DATABASE_URL.\n';
    const coop = ['coop', 'add', '--number', '087-0400', '--name', 'Coop', '--department', '87'];
    expect(await run(...coop, '--db', 'postgres://admin:pg-secret-1@h/x')).toEqual({
      code: 2,
      out: '',
      err: `${warning}Erreur : Base de données non prise en charge : « postgres://admin:***@h/x » (sqlite:FICHIER ou mysql://…).\n`,
    });
    // Passwords with characters a URL cannot hold as they are: the URL is unreadable, and still redacted.
    for (const [url, redacted] of [
      ['mysql://root:my#secret@db.local/cahier', 'mysql://root:***@db.local/cahier'],
      ['mysql://root:une/deux trois@db.local:3306/cahier', 'mysql://root:***@db.local:3306/cahier'],
    ] as const) {
      expect(await run(...coop, '--db', url)).toEqual({
        code: 2,
        out: '',
        err: `${warning}Erreur : Adresse MySQL illisible : ${redacted}\n`,
      });
    }
    // From the environment (the way to pass it): no warning, and still not written back.
    const before = process.env.DATABASE_URL;
    process.env.DATABASE_URL = 'mysql://root:env#secret@db.local/cahier';
    try {
      expect(await run(...coop)).toEqual({
        code: 2,
        out: '',
        err: 'Erreur : Adresse MySQL illisible : mysql://root:***@db.local/cahier\n',
      });
    } finally {
      if (before === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = before;
    }
  });

  test('npm start: the service with the demo cooperative and its login, and the workbooks in data/', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cahier-start-'));
    const child = spawn(process.execPath, [BIN, 'start', '--data', dir, '--port', '0']);
    try {
      let out = '';
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const url = await new Promise<string>((ok, ko) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /service démarré sur (http:\/\/\S+) /.exec(out);
          if (m && /exporté par le service : /.test(out)) ok(m[1]!);
        });
        child.once('exit', () => ko(new Error(out)));
      });
      const paths = [...out.matchAll(/: (\/\S+\.xlsx)$/gm)].map((m) => m[1]!);
      expect(paths).toHaveLength(3);
      expect(paths[1]).toMatch(/ancien-cahier-087-0124-2025-2026\.xlsx$/);
      expect(paths[2]).toMatch(/cahier-087-0123-2025-2026\.xlsx$/);
      const count = Number(/exercice 2025-2026 : (\d+) écritures/.exec(out)![1]);
      const [, login, password] = /Connexion mandataire : (\S+) \/ (\S+)/.exec(out)!;
      expect((await (await fetch(`${url}/health`)).json()) as unknown).toEqual({ status: 'ok', database: 'ok' });
      const session = (await (
        await fetch(`${url}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ login, password }),
        })
      ).json()) as { token: string; user: { coop: string } };
      const lines = (await (
        await fetch(`${url}/api/coops/${session.user.coop}/exercises/2025/lines`, {
          headers: { authorization: `Bearer ${session.token}` },
        })
      ).json()) as { lines: unknown[] };
      expect(lines.lines).toHaveLength(count);
      // The demo shows every side book: arrêtés de caisse, subsidies, inventory, régies, pièces, the coop's data.
      const get = async (path: string) =>
        (await (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${session.token}` } })).json()) as any;
      const exercise = `/api/coops/${session.user.coop}/exercises/2025`;
      const counts = await get(`${exercise}/cash-counts`);
      expect(counts).toHaveLength(12);
      expect(counts.every((c: { ok: boolean }) => c.ok)).toBe(true);
      const subsidies = await get(`${exercise}/subsidies`);
      expect(subsidies.subsidies.map((x: { chapter: string }) => x.chapter).sort()).toEqual(['7410', '7420']);
      expect(subsidies.unattached).toEqual([]);
      const inventory = await get(`${exercise}/inventory`);
      expect(inventory.items.length).toBeGreaterThan(1);
      expect(inventory.unlisted).toEqual([]);
      const regies = await get(`${exercise}/regies`);
      expect(regies.regies.map((r: { holder: string; balance: number }) => [r.holder, r.balance])).toEqual([
        ['M. Petit', 0],
        ['Mme Martin', 0],
      ]);
      const pieces = Object.values((await get(`${exercise}/attachments`)).counts) as number[];
      expect(pieces.length).toBeGreaterThan(0);
      const coop = await get(`/api/coops/${session.user.coop}`);
      expect(coop.bank.iban).toBe('FR76 3000 6000 0112 3456 7890 189');
      // The year before is closed through the real closing: listed closed, its archives stored, its
      // closing balances carried to 2025 as report à nouveau, nothing left outstanding.
      const exercises = await get(`/api/coops/${session.user.coop}/exercises`);
      expect(exercises.map((e: { year: number; status: string }) => [e.year, e.status])).toEqual([
        [2024, 'closed'],
        [2025, 'open'],
        [2026, 'open'],
      ]);
      const archives = (await get(`/api/coops/${session.user.coop}/exercises/2024/archives`)) as {
        id: number;
        kind: string;
        format: string;
        sha256: string;
      }[];
      expect(archives.map((a) => `${a.kind}.${a.format}`)).toEqual(
        expect.arrayContaining(['cloture.json', 'crf.pdf', 'crf.xlsx']),
      );
      expect(archives.every((a) => /^[0-9a-f]{64}$/.test(a.sha256))).toBe(true);
      const frozen = await get(
        `/api/coops/${session.user.coop}/exercises/2024/archives/${archives.find((a) => a.kind === 'cloture')!.id}`,
      );
      expect(frozen.figures.reconciliationGap).toBe(0);
      expect(exercises[1].opening).toEqual({
        banque: frozen.figures.balances.banque,
        caisse: frozen.figures.balances.caisse,
      });
      const outstanding = await get(`${exercise}/outstanding`);
      expect([outstanding.from, outstanding.items]).toEqual(['2024-2025', []]);
      // The demo workbook, as the service exports it, holds the same lines with their ids.
      const demo = new ExcelJS.Workbook();
      await demo.xlsx.load((await readFile(paths[2]!)) as unknown as ArrayBuffer);
      const layout = cahierLayout(DEFAULT_CHART);
      const pjs: string[] = [];
      const ids: string[] = [];
      demo.getWorksheet(SHEETS.cahier)!.eachRow((r, row) => {
        const id = r.getCell(col(layout, 'id').index + 1).value;
        if (row > HEADER_ROW && typeof id === 'string') {
          ids.push(id);
          pjs.push(String(r.getCell(col(layout, 'pj').index + 1).value));
        }
      });
      expect(new Set(ids)).toEqual(new Set(lines.lines.map((l) => (l as { id: string }).id)));
      expect(pjs).toHaveLength(count);
      // The department's second coop: its last year imported from the old cahier written in data/.
      const t = (await (
        await fetch(`${url}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(DEMO_LOGINS.tresorier),
        })
      ).json()) as { token: string };
      const imported = (await (
        await fetch(`${url}/api/coops/087-0124/exercises/2025/lines`, {
          headers: { authorization: `Bearer ${t.token}` },
        })
      ).json()) as { lines: { id: string }[] };
      expect(imported.lines).toHaveLength((await demoLegacyCahier(2025)).lines);
      const file = readLegacy(await readLegacyFile(await readFile(paths[1]!), 'ancien.xlsx'), { chart: DEFAULT_CHART });
      expect([file.coop, file.year, file.lines.length]).toEqual(['087-0124', 2025, imported.lines.length]);
      // The department's dashboard shows its three coops, the one that has entered nothing among them.
      const board = (await (
        await fetch(`${url}/api/departments/87/dashboard?exercise=2025`, {
          headers: { authorization: `Bearer ${t.token}` },
        })
      ).json()) as { coops: { number: string; state: string; lines: number }[] };
      expect(board.coops.map((c) => c.number).sort()).toEqual(['087-0123', '087-0124', '087-0125']);
      expect(board.coops.find((c) => c.number === '087-0125')).toMatchObject({ state: 'vide', lines: 0 });
      expect(board.coops.find((c) => c.number === '087-0123')!.lines).toBe(count);
    } finally {
      child.kill('SIGTERM');
    }
  });

  test('the installed bin runs (npx cahier)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, '--help']);
    expect(stdout).toContain('Cahier Coop');
  });
});
