/**
 * The files a department deploys with (Dockerfile, .dockerignore, compose.yaml), read as a
 * container engine would read them: the images they start from, the build's steps, what the
 * image runs and as whom, its health check, the database the service is given, and that every
 * variable compose sets is one the product reads.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseDbUrl } from '../../server/db/connect';

const ROOT = join(__dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Instruction {
  /** FROM, RUN, COPY… in upper case. */
  op: string;
  args: string;
  /** Index of the build stage (0 for the first FROM). */
  stage: number;
}

/** A Dockerfile's instructions: comments and blank lines out, `\` continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let stage = -1;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!pending && (trimmed === '' || trimmed.startsWith('#'))) continue;
    if (pending && trimmed.startsWith('#')) continue;
    const continued = trimmed.endsWith('\\');
    pending += (pending ? ' ' : '') + (continued ? trimmed.slice(0, -1).trim() : trimmed);
    if (continued) continue;
    const [, op, args] = /^(\w+)\s+(.*)$/s.exec(pending)!;
    const upper = op!.toUpperCase();
    if (upper === 'FROM') stage++;
    instructions.push({ op: upper, args: args!.trim(), stage });
    pending = '';
  }
  return instructions;
}

/** An exec-form argument (`["node", "-e", …]`) as its array; a shell form as one string. */
function execForm(args: string): string[] | string {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : args;
}

/** `${VAR}`, `${VAR:?message}`, `${VAR:-default}` replaced as compose would, from `env`. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::?[?-][^}]*)?\}/g, (_, name: string) => {
    if (!(name in env)) throw new Error(`variable ${name} absente`);
    return env[name]!;
  });
}

/** The `${VAR…}` names a compose value refers to. */
const variablesOf = (value: string) => [...value.matchAll(/\$\{(\w+)/g)].map((m) => m[1]!);

/** Every source file of the product (server, templates, the command's launcher). */
function productSources(): string {
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(ROOT, dir))) {
      const path = join(dir, name);
      if (statSync(join(ROOT, path)).isDirectory()) walk(path);
      else if (/\.(ts|js)$/.test(name)) texts.push(read(path));
    }
  };
  for (const dir of ['server', 'templates', 'bin']) walk(dir);
  return texts.join('\n');
}

describe('Dockerfile', () => {
  const instructions = parseDockerfile(read('Dockerfile'));
  const stages = Math.max(...instructions.map((i) => i.stage)) + 1;
  const final = instructions.filter((i) => i.stage === stages - 1);
  const of = (op: string, list = final) => list.filter((i) => i.op === op);
  const build = instructions.filter((i) => i.stage === 0);

  test('two stages, both on node:20-bookworm-slim; the first named build', () => {
    expect(stages).toBe(2);
    expect(of('FROM', instructions).map((i) => i.args)).toEqual([
      'node:20-bookworm-slim AS build',
      'node:20-bookworm-slim',
    ]);
  });

  test('the build: the compiler sqlite3 may need, npm ci, then npm run build, then the development dependencies dropped', () => {
    const runs = of('RUN', build).map((i) => i.args);
    const at = (needle: RegExp) => runs.findIndex((r) => needle.test(r));
    expect(runs[at(/apt-get install/)]).toMatch(/\bpython3\b.*\bmake\b.*\bg\+\+/);
    expect(at(/\bnpm ci\b/)).toBeGreaterThan(at(/apt-get install/));
    expect(at(/\bnpm run build\b/)).toBeGreaterThan(at(/\bnpm ci\b/));
    expect(runs[at(/\bnpm run build\b/)]).toMatch(/npm prune --omit=dev/);
    // The lock file is copied before npm ci (the dependencies' layer is kept while only code changes).
    const copies = build.filter((i) => i.op === 'COPY' || i.op === 'RUN').map((i) => i.args);
    expect(copies.findIndex((a) => a === 'package.json package-lock.json ./')).toBeLessThan(
      copies.findIndex((a) => /\bnpm ci\b/.test(a)),
    );
  });

  test('the image holds what the service reads at run time, taken from the build stage', () => {
    const copied = of('COPY').map((i) => i.args);
    for (const c of copied) expect(c).toMatch(/^--from=build /);
    const sources = copied.flatMap((c) => c.split(/\s+/).slice(1, -1)).map((s) => s.replace(/^\/app\//, ''));
    expect(sources).toEqual(
      expect.arrayContaining(['package.json', 'manifest.xml', 'bin', 'dist', 'node_modules', 'server/http/aide.html']),
    );
    // Those the repository holds exist (dist and node_modules are made by the build).
    for (const s of sources.filter((p) => !['dist', 'node_modules'].includes(p))) {
      expect(existsSync(join(ROOT, s))).toBe(true);
    }
  });

  test('not root; port 3000; a health check on GET /health; serve on 0.0.0.0 behind the proxy', () => {
    const users = of('USER');
    expect(users).toHaveLength(1);
    expect(users[0]!.args).not.toMatch(/^(root|0)(:|$)/);
    const index = (i: Instruction) => final.indexOf(i);
    expect(index(users[0]!)).toBeLessThan(index(of('CMD')[0]!));
    expect(of('EXPOSE').map((i) => i.args)).toEqual(['3000']);
    const health = of('HEALTHCHECK');
    expect(health).toHaveLength(1);
    const [, command] = /^(?:--\S+\s+)*CMD\s+(.*)$/s.exec(health[0]!.args)!;
    const probe = execForm(command!);
    expect(Array.isArray(probe) ? probe.join(' ') : probe).toMatch(/http:\/\/127\.0\.0\.1:.*\/health/);
    expect(of('CMD').map((i) => execForm(i.args))).toEqual([
      ['node', 'bin/cahier.js', 'serve', '--host', '0.0.0.0', '--proxy'],
    ]);
    expect(
      of('ENV')
        .map((i) => i.args)
        .join(' '),
    ).toMatch(/NODE_ENV=production/);
  });

  test('.dockerignore leaves out what is installed or built inside, the data and the repository', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'data', '.git', '.env']));
    // Nothing the build reads is left out.
    for (const needed of ['package.json', 'package-lock.json', 'server', 'templates', 'addin', 'bin', 'manifest.xml']) {
      expect(ignored).not.toContain(needed);
    }
  });
});

describe('compose.yaml', () => {
  interface Service {
    image?: string;
    build?: string | { context: string };
    restart?: string;
    environment?: Record<string, string>;
    depends_on?: Record<string, { condition: string }>;
    ports?: string[];
    volumes?: string[];
    healthcheck?: { test: string[] };
  }
  const compose = parseYaml(read('compose.yaml')) as {
    services: Record<string, Service>;
    volumes?: Record<string, unknown>;
  };
  const { mariadb, cahier } = compose.services as { mariadb: Service; cahier: Service };

  test('MariaDB: the official image, its data in a named volume, a health check, its database and user', () => {
    expect(mariadb.image).toMatch(/^mariadb:\d+(\.\d+)*$/);
    const [volume, target] = mariadb.volumes![0]!.split(':');
    expect(target).toBe('/var/lib/mysql');
    expect(Object.keys(compose.volumes ?? {})).toContain(volume);
    expect(mariadb.healthcheck!.test).toEqual(['CMD', 'healthcheck.sh', '--connect', '--innodb_initialized']);
    const env = mariadb.environment!;
    expect(env.MARIADB_DATABASE).toBeTruthy();
    expect(env.MARIADB_USER).toBeTruthy();
    // The password is never written here: it comes from the environment (.env), required.
    expect(env.MARIADB_PASSWORD).toMatch(/^\$\{\w+:\?[^}]+\}$/);
    expect(mariadb.restart).toBe('unless-stopped');
  });

  test('the service: built here, started once MariaDB is healthy, restarted, on port 3000', () => {
    expect(cahier.build).toBe('.');
    expect(cahier.depends_on).toEqual({ mariadb: { condition: 'service_healthy' } });
    expect(cahier.restart).toBe('unless-stopped');
    expect(cahier.ports).toHaveLength(1);
    const published = cahier.ports![0]!.split(':');
    expect(published.at(-1)).toBe('3000');
    expect(published.at(-2)).toBe('3000');
    expect(cahier.environment!.PORT).toBe('3000');
  });

  test('DATABASE_URL names the mariadb service, its database, its user and the same password', () => {
    const url = cahier.environment!.DATABASE_URL!;
    const env = mariadb.environment!;
    expect(variablesOf(url)).toEqual(variablesOf(env.MARIADB_PASSWORD!));
    const secret = 'essai42';
    const target = parseDbUrl(interpolate(url, { [variablesOf(url)[0]!]: secret }));
    expect(target).toMatchObject({
      dialect: 'mysql',
      host: 'mariadb',
      port: 3306,
      database: env.MARIADB_DATABASE,
      user: env.MARIADB_USER,
      password: secret,
    });
  });

  test('every variable set for the service is one the product reads', () => {
    const sources = productSources();
    const names = Object.keys(cahier.environment!);
    expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'PORT', 'LOG_LEVEL', 'REQUEST_TIMEOUT']));
    for (const name of names) {
      expect([name, new RegExp(`\\benv(\\.${name}\\b|\\[['"]${name}['"]\\])`).test(sources)]).toEqual([name, true]);
    }
  });
});
