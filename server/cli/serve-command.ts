/** `cahier serve`: the validation service. */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DbUrlError } from '../db/connect';
import { DEMO_LOGINS } from '../demo/seed';
import { startService, type RunningService, type ServiceOptions } from '../service';
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

export async function runService(values: Values, io: Output, demo: boolean): Promise<RunningService> {
  const options: ServiceOptions = {
    dbUrl: dbUrl(values),
    port: parsePort(values),
    host: (values.host as string | undefined) ?? '127.0.0.1',
    https: values.https ? await devCertificates(io) : null,
    demo,
    proxyHops: parseProxyHops(values),
    attachmentsDir: typeof values.attachments === 'string' ? values.attachments : null,
  };
  let service: RunningService;
  try {
    service = await startService(options);
  } catch (e) {
    if (e instanceof DbUrlError) throw new UserError(e.message, 2);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UserError(`Le port ${options.port} est déjà pris : choisissez-en un autre avec --port.`);
    throw new UserError(`Le service n’a pas pu démarrer : ${(e as Error).message}`);
  }
  io.out(`Cahier Coop : service démarré sur ${service.url} (base ${service.db.dialect}).\n`);
  io.out(`  État : ${service.url}/health   API : ${service.url}/api/openapi.json\n`);
  io.out(
    `  Volet Office : ${service.url}/taskpane.html   Manifeste à charger dans Excel : ${service.url}/manifest.xml\n`,
  );
  if (options.attachmentsDir) io.out(`  Pièces justificatives : ${service.attachments.description}\n`);
  if (service.demo) {
    io.out(
      `  Coopérative de démonstration ${service.demo.coop}, exercice ${service.demo.exercise}-${service.demo.exercise + 1} : ${service.demo.lines} écritures.\n` +
        `  Connexion mandataire : ${DEMO_LOGINS.mandataire.login} / ${DEMO_LOGINS.mandataire.password}` +
        `   trésorier départemental : ${DEMO_LOGINS.tresorier.login} / ${DEMO_LOGINS.tresorier.password}\n`,
    );
  }
  const stop = () => {
    io.out('Arrêt du service…\n');
    void service.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
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
  },
  async run(values, _positionals, io) {
    await runService(values, io, Boolean(values.demo));
    return new Promise<number>(() => undefined); // runs until stopped
  },
};
