/**
 * A tiny command framework on node:util parseArgs: French help generated from the options,
 * French errors, exit codes (0 done, 1 failure, 2 wrong usage).
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder shown in the help: FICHIER, ANNÉE… */
  value?: string;
  description: string;
  multiple?: boolean;
}

/** The standard input: a terminal (isTTY, raw mode) or a pipe. */
export interface Input extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
}

/** What a command talks to: its two outputs, and the input a secret is read from. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  stdin: Input;
}

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  name: string;
  summary: string;
  usage?: string;
  options: Record<string, OptionSpec>;
  /** Options that no longer exist, with the French message that says why and what to do instead. */
  removed?: Record<string, string>;
  run(values: Values, positionals: string[], io: Output): Promise<number>;
}

/** An error the user caused: printed as is, exit code 1 (or 2 for usage). */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function commandHelp(program: string, c: Command): string {
  const lines = [`${c.summary}`, '', `Usage : ${program} ${c.name}${c.usage ? ` ${c.usage}` : ' [options]'}`, ''];
  const entries = Object.entries({
    ...c.options,
    help: { type: 'boolean', short: 'h', description: 'affiche cette aide' } as OptionSpec,
  });
  if (entries.length) lines.push('Options :');
  const rows = entries.map(([name, o]) => [
    `  ${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALEUR'}` : ''}`,
    o.description,
  ]);
  const width = Math.max(...rows.map((r) => r[0]!.length)) + 2;
  for (const [left, right] of rows) lines.push(`${left!.padEnd(width)}${right}`);
  return lines.join('\n') + '\n';
}

export function programHelp(program: string, description: string, commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 4;
  return [
    description,
    '',
    `Usage : ${program} <commande> [options]`,
    '',
    'Commandes :',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    `Aide d’une commande : ${program} <commande> --help`,
    '',
  ].join('\n');
}

/** Parses a command's arguments; wrong usage becomes a French UserError. */
export function parseCommand(c: Command, args: string[]): { values: Values; positionals: string[] } {
  const end = args.indexOf('--');
  for (const arg of end < 0 ? args : args.slice(0, end)) {
    const name = /^--([^=]+)/.exec(arg)?.[1];
    if (name !== undefined && c.removed && Object.hasOwn(c.removed, name)) throw new UserError(c.removed[name]!, 2);
  }
  const options = Object.fromEntries(
    Object.entries({ ...c.options, help: { type: 'boolean', short: 'h', description: '' } as OptionSpec }).map(
      ([name, o]) => [
        name,
        { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
      ],
    ),
  );
  try {
    const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: parsed.values as Values, positionals: parsed.positionals };
  } catch (e) {
    const code = (e as { code?: string }).code;
    const message = (e as Error).message;
    const name = /'(-[^'\s]+)/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new UserError(`Option inconnue : ${name}. Voir : cahier ${c.name} --help`, 2);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UserError(`L’option ${name || message} attend une valeur. Voir : cahier ${c.name} --help`, 2);
    }
    throw new UserError(`Arguments invalides : ${message}`, 2);
  }
}

export function requireString(values: Values, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || !v.trim()) throw new UserError(`L’option --${name} est obligatoire.`, 2);
  return v;
}
