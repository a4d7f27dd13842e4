/** `cahier serve`: the validation service. */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DbUrlError } from '../db/connect';
import { DEMO_LOGINS } from '../demo/seed';
import type { DemoInfo } from '../demo/seed';
import {
  DEFAULT_GRACE_MS,
  startService,
  type RunningService,
  type ServiceOptions,
  type ShutdownReport,
} from '../service';
import { parseWorkers, runCluster } from './cluster';
import { UserError, type Command, type OptionSpec, type Output, type Values } from './command';
import { DB_OPTION, dbUrl } from './db-option';

export const DEFAULT_PORT = 3000;

/** `--attachments DIR`: the pièces justificatives on disk instead of the database. */
export const ATTACHMENTS_OPTION: OptionSpec = {
  type: 'string',
  value: 'DOSSIER',
  description:
    'dossier des pièces justificatives (défaut : dans la base de données ; partageable entre plusieurs instances)',
};

export function parsePort(values: Values): number {
  const raw = (values.port as string | undefined) ?? process.env.PORT;
  if (raw === undefined) return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UserError(`--port attend un numéro de port (0 à 65535), pas « ${raw} ».`, 2);
  return port;
}

/**
 * The Office development certificates (office-addin-dev-certs), for sideloading the add-in.
 * Where the tool cannot add its CA to the system store (Linux without sudo), the generated
 * certificates are used as they are and the README says how to trust the CA in the browser.
 */
export async function devCertificates(io: Output): Promise<NonNullable<ServiceOptions['https']>> {
  const certs = await import('office-addin-dev-certs');
  try {
    const options = await certs.getHttpsServerOptions();
    return { key: options.key, cert: options.cert, ca: options.ca };
  } catch (e) {
    const dir = join(homedir(), '.office-addin-dev-certs');
    const caCertificatePath = join(dir, 'ca.crt');
    const [localhostCertificatePath, localhostKeyPath] = [join(dir, 'localhost.crt'), join(dir, 'localhost.key')];
    try {
      const [key, cert, ca] = await Promise.all([
        readFile(localhostKeyPath),
        readFile(localhostCertificatePath),
        readFile(caCertificatePath),
      ]);
      io.err(
        `Attention : l’autorité de certification de développement n’a pas pu être installée (${(e as Error).message.trim()}).\n` +
          `  Faites-lui confiance dans votre navigateur ou votre système : ${caCertificatePath}\n`,
      );
      return { key, cert, ca };
    } catch {
      throw new UserError(
        `Certificats de développement Office indisponibles (${(e as Error).message.trim()}). Installez-les avec : npx office-addin-dev-certs install`,
      );
    }
  }
}

/** Trusted proxy hops: --proxy means one, --proxy-hops N says how many; none without them. */
export function parseProxyHops(values: Values): number {
  const raw = values['proxy-hops'] as string | undefined;
  if (raw === undefined) return values.proxy ? 1 : 0;
  const hops = Number(raw);
  if (!/^\d+$/.test(raw) || hops < 1 || hops > 10)
    throw new UserError(`--proxy-hops attend un nombre de proxys entre 1 et 10, pas « ${raw} ».`, 2);
  return hops;
}

/** `--request-timeout SECONDES` (or REQUEST_TIMEOUT): the time limit of a request; absent: the service's default. */
export function parseRequestTimeout(values: Values): number | undefined {
  const raw = (values['request-timeout'] as string | undefined) ?? process.env.REQUEST_TIMEOUT;
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || seconds < 1 || seconds > 3600)
    throw new UserError(`--request-timeout attend un nombre de secondes entre 1 et 3600, pas « ${raw} ».`, 2);
  return seconds;
}

/** The service's options read from the command line (and the environment). */
export async function serviceOptions(values: Values, io: Output, demo: boolean): Promise<ServiceOptions> {
  return {
    dbUrl: dbUrl(values),
    port: parsePort(values),
    host: (values.host as string | undefined) ?? '127.0.0.1',
    https: values.https ? await devCertificates(io) : null,
    demo,
    proxyHops: parseProxyHops(values),
    attachmentsDir: typeof values.attachments === 'string' ? values.attachments : null,
    requestTimeout: parseRequestTimeout(values),
  };
}

/** A failure to start, as the French message the user reads. */
export function startFailure(e: unknown, port: number): UserError {
  if (e instanceof UserError) return e;
  if (e instanceof DbUrlError) return new UserError(e.message, 2);
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new UserError(`Le port ${port} est déjà pris : choisissez-en un autre avec --port.`);
  return new UserError(`Le service n’a pas pu démarrer : ${(e as Error).message}`);
}

/** What the service prints once it listens (tests and scripts read the first line's URL). */
export function printStarted(
  io: Output,
  started: { url: string; dialect: string; attachments: string | null; demo: DemoInfo | null },
): void {
  const { url } = started;
  io.out(`Cahier Coop : service démarré sur ${url} (base ${started.dialect}).\n`);
  io.out(`  État : ${url}/health   API : ${url}/api/openapi.json\n`);
  io.out(`  Volet Office : ${url}/taskpane.html   Manifeste à charger dans Excel : ${url}/manifest.xml\n`);
  if (started.attachments) io.out(`  Pièces justificatives : ${started.attachments}\n`);
  if (started.demo) {
    io.out(
      `  Coopérative de démonstration ${started.demo.coop}, exercice ${started.demo.exercise}-${started.demo.exercise + 1} : ${started.demo.lines} écritures.\n` +
        `  Connexion mandataire : ${DEMO_LOGINS.mandataire.login} / ${DEMO_LOGINS.mandataire.password}` +
        `   trésorier départemental : ${DEMO_LOGINS.tresorier.login} / ${DEMO_LOGINS.tresorier.password}\n`,
    );
  }
}

/** The French account of a stop: what was answered, what was cut at the time limit. */
export function shutdownSummary(report: ShutdownReport): string {
  const parts = [
    `${report.finished} requête${report.finished > 1 ? 's' : ''} en cours terminée${report.finished > 1 ? 's' : ''}`,
  ];
  if (report.refused) parts.push(`${report.refused} refusée${report.refused > 1 ? 's' : ''} pendant l’arrêt (503)`);
  if (report.cut)
    parts.push(
      `${report.cut} interrompue${report.cut > 1 ? 's' : ''} au bout de ${DEFAULT_GRACE_MS / 1000} s (sans réponse : rien d’enregistré à moitié)`,
    );
  return `Service arrêté : ${parts.join(', ')}.\n`;
}

/**
 * SIGTERM (an orchestrator, systemd, docker stop) or SIGINT (Ctrl+C): a graceful stop, then exit
 * code 0. A second signal during the stop changes nothing (the stop has its own time limit).
 */
export function stopOnSignals(service: RunningService, io: Output, quiet = false): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (!quiet) io.out('Arrêt du service : plus de nouvelle connexion, les requêtes en cours se terminent…\n');
    void service.close().then(
      (report) => {
        if (!quiet || report.cut) io.out(shutdownSummary(report));
        process.exit(0);
      },
      (e: unknown) => {
        io.err(`Erreur pendant l’arrêt du service : ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export async function runService(values: Values, io: Output, demo: boolean): Promise<RunningService> {
  const options = await serviceOptions(values, io, demo);
  let service: RunningService;
  try {
    service = await startService(options);
  } catch (e) {
    throw startFailure(e, options.port);
  }
  printStarted(io, {
    url: service.url,
    dialect: service.db.dialect,
    attachments: options.attachmentsDir ? service.attachments.description : null,
    demo: service.demo,
  });
  stopOnSignals(service, io);
  return service;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'démarre le service de validation (API, puis le complément Excel)',
  options: {
    port: { type: 'string', value: 'N', description: `port d’écoute (défaut : $PORT, sinon ${DEFAULT_PORT})` },
    host: {
      type: 'string',
      value: 'ADRESSE',
      description: 'adresse d’écoute (défaut : 127.0.0.1 ; 0.0.0.0 derrière un proxy)',
    },
    db: DB_OPTION,
    attachments: ATTACHMENTS_OPTION,
    https: {
      type: 'boolean',
      description: 'HTTPS avec les certificats de développement Office (pour le chargement du complément)',
    },
    demo: { type: 'boolean', description: 'crée la coopérative de démonstration si elle manque' },
    proxy: {
      type: 'boolean',
      description: 'derrière un proxy inverse : adresse du client lue dans X-Forwarded-For (dernier saut)',
    },
    'proxy-hops': {
      type: 'string',
      value: 'N',
      description: 'nombre de proxys inverses de confiance en chaîne (défaut avec --proxy : 1)',
    },
    workers: {
      type: 'string',
      value: 'N',
      description:
        'N processus de service sur le même port (MySQL/MariaDB seulement ; un processus arrêté par accident est remplacé)',
    },
    'request-timeout': {
      type: 'string',
      value: 'SECONDES',
      description:
        'délai d’une requête avant la réponse 503 (défaut : $REQUEST_TIMEOUT, sinon 30 ; dix fois plus pour les imports, exports, PDF et le tableau de bord)',
    },
  },
  async run(values, _positionals, io) {
    const workers = parseWorkers(values);
    if (workers !== null) return runCluster(values, io, workers);
    await runService(values, io, Boolean(values.demo));
    return new Promise<number>(() => undefined); // runs until stopped
  },
};
