/**
 * Secrets on the command line. A password is never an argument (arguments are visible to every
 * user of the machine in `ps` and stay in the shell history): it is typed in the terminal without
 * echo, or read from the standard input with --password-stdin. A database URL that carries a
 * password is never written back in a message.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { passwordProblem } from '../auth/password';
import { UserError, type Input, type Output } from './command';

/** Longest first line read from a pipe: a password is at most 200 characters. */
const MAX_LINE = 4096;

/** The first line of a pipe, without its newline (LF or CRLF); '' when there is none. */
export function readFirstLine(input: Input): Promise<string> {
  return new Promise((ok, ko) => {
    let text = '';
    const finish = (line: string) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      input.pause();
      ok(line.replace(/\r$/, ''));
    };
    const onData = (chunk: string | Buffer) => {
      text += chunk.toString();
      const newline = text.indexOf('\n');
      if (newline >= 0) finish(text.slice(0, newline));
      else if (text.length > MAX_LINE) finish(text);
    };
    const onEnd = () => finish(text);
    const onError = (e: Error) => ko(new UserError(`Lecture de l’entrée standard impossible : ${e.message}`));
    input.setEncoding('utf8');
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
    input.resume();
  });
}

const INTERRUPTED = 'Saisie interrompue : rien n’a été enregistré.';

export interface HiddenPrompt {
  /** Writes the prompt, then reads one line that is not shown. */
  ask(prompt: string): Promise<string>;
  /** Gives the terminal back as it was (echo, line editing). */
  close(): void;
}

/**
 * Reads lines typed in the terminal without echo: readline puts the terminal in raw mode (the
 * terminal no longer echoes what is typed) and its own output, where it would redraw the line
 * being typed, is muted. Only the prompts are written, with `write`. The terminal stays in raw
 * mode until `close`, so nothing typed ahead between two prompts is shown either. Ctrl-C or
 * Ctrl-D stops the input.
 */
export function hiddenPrompt(input: Input, write: (text: string) => void): HiddenPrompt {
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input, output: muted, terminal: true, historySize: 0 });
  const lines: string[] = [];
  let waiting: ((line: string | null) => void) | null = null;
  let stopped = false;
  const deliver = (line: string | null) => {
    if (line === null) stopped = true;
    const w = waiting;
    waiting = null;
    if (w) w(line);
    else if (line !== null) lines.push(line);
  };
  rl.on('line', (line: string) => deliver(line));
  rl.on('SIGINT', () => deliver(null));
  rl.on('close', () => deliver(null));
  return {
    async ask(prompt) {
      write(prompt);
      const line = lines.length
        ? lines.shift()!
        : stopped
          ? null
          : await new Promise<string | null>((ok) => (waiting = ok));
      write('\n');
      if (line === null) throw new UserError(INTERRUPTED);
      return line;
    },
    close: () => rl.close(),
  };
}

const HOW_TO =
  'tapez-le dans un terminal (il ne s’affiche pas), ou passez-le sur l’entrée standard avec --password-stdin ' +
  '(ex. : printf \'%s\\n\' "$MOT_DE_PASSE" | cahier user add … --password-stdin)';

/** Why --password is gone; given when it is used (the value it came with is not repeated). */
export const PASSWORD_OPTION_REMOVED =
  'L’option --password n’existe plus : un mot de passe passé en argument est visible des autres utilisateurs ' +
  `de la machine (ps) et reste dans l’historique du shell. Ne le mettez pas dans la commande : ${HOW_TO}.`;

/**
 * A new user's password: typed twice without echo when the standard input is a terminal, else
 * the first line of the standard input with --password-stdin.
 */
export async function readNewPassword(io: Output, fromStdin: boolean): Promise<string> {
  if (io.stdin.isTTY) {
    const terminal = hiddenPrompt(io.stdin, io.err);
    try {
      const password = await terminal.ask('Mot de passe : ');
      if (!password) throw new UserError('Mot de passe vide : rien n’a été enregistré.');
      const weak = passwordProblem(password);
      if (weak) throw new UserError(weak);
      if ((await terminal.ask('Confirmez le mot de passe : ')) !== password) {
        throw new UserError('Les deux mots de passe ne correspondent pas : rien n’a été enregistré.');
      }
      return password;
    } finally {
      terminal.close();
    }
  }
  if (!fromStdin) {
    throw new UserError(`Mot de passe manquant : l’entrée standard n’est pas un terminal. ${capitalize(HOW_TO)}.`, 2);
  }
  const password = await readFirstLine(io.stdin);
  if (!password) {
    throw new UserError(
      'Aucun mot de passe reçu : avec --password-stdin, la première ligne de l’entrée standard est le mot de passe, ' +
        'et elle est vide.',
      2,
    );
  }
  return password;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The user part of a URL, read leniently: a password may hold @, /, # or spaces (the URL is then
 * not even valid), so it runs to the last @.
 */
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):(.*)@/is;
/** The same inside a message: a URL with a password, up to the last @ before a space. */
const USERINFO_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):\S*@/gi;

/** The password of a URL (mysql://user:password@host/db), or null. */
export function urlPassword(url: string): string | null {
  const password = USERINFO.exec(url)?.[2];
  return password ? password : null;
}

/** The URL with its password replaced by ***. */
export function redactUrl(url: string): string {
  return urlPassword(url) === null ? url : url.replace(USERINFO, '$1:***@');
}

/** A message with the passwords of the given URLs, and of any URL written in it, replaced by ***. */
export function redactSecrets(text: string, urls: readonly (string | undefined)[]): string {
  let redacted = text;
  for (const url of urls) {
    if (url && urlPassword(url) !== null) redacted = redacted.split(url).join(redactUrl(url));
  }
  return redacted.replace(USERINFO_IN_TEXT, '$1:***@');
}

export const DB_PASSWORD_WARNING =
  'Attention : le mot de passe de l’adresse --db est visible des autres utilisateurs de la machine (ps) et ' +
  'reste dans l’historique du shell. Passez plutôt l’adresse dans la variable d’environnement DATABASE_URL.\n';
