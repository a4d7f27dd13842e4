/** `cahier`: the command line of Cahier Coop. */
import { commandHelp, parseCommand, programHelp, UserError, type Command, type Output } from './command';
import { coopCommand, userCommand } from './account-commands';
import { closureCommand } from './closure-command';
import { dashboardCommand } from './dashboard-command';
import { importCommand } from './import-command';
import { exportCommand } from './export-command';
import { DB_PASSWORD_WARNING, redactSecrets, urlPassword } from './secret';
import { reportCommand } from './report-command';
import { serveCommand } from './serve-command';
import { startCommand } from './start-command';
import { statementCommand } from './statement-command';
import { templateCommand } from './template-command';

export const COMMANDS: readonly Command[] = [
  startCommand,
  serveCommand,
  coopCommand,
  userCommand,
  templateCommand,
  statementCommand,
  reportCommand,
  closureCommand,
  importCommand,
  exportCommand,
  dashboardCommand,
];

const PROGRAM = 'cahier';
const DESCRIPTION = 'Cahier Coop – le cahier de comptabilité des coopératives scolaires.';

const stdio: Output = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  stdin: process.stdin,
};

export async function main(argv: string[], io: Output = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(programHelp(PROGRAM, DESCRIPTION, COMMANDS));
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(
      `Commande inconnue : ${name}. Commandes : ${COMMANDS.map((c) => c.name).join(', ')}. Voir : ${PROGRAM} --help\n`,
    );
    return 2;
  }
  // Database URLs whose password must never be written back.
  const urls = [process.env.DATABASE_URL];
  try {
    const { values, positionals } = parseCommand(command, rest);
    if (values.help) {
      io.out(commandHelp(PROGRAM, command));
      return 0;
    }
    if (typeof values.db === 'string') {
      urls.push(values.db);
      if (urlPassword(values.db) !== null) io.err(DB_PASSWORD_WARNING);
    }
    return await command.run(values, positionals, io);
  } catch (e) {
    if (e instanceof UserError) {
      io.err(`Erreur : ${redactSecrets(e.message, urls)}\n`);
      return e.exitCode;
    }
    if (e instanceof Error) {
      e.message = redactSecrets(e.message, urls);
      if (e.stack) e.stack = redactSecrets(e.stack, urls);
    }
    throw e;
  }
}
