/** `cahier`: the command line of Cahier Coop. */
import { commandHelp, parseCommand, programHelp, UserError, type Command, type Output } from './command';
import { coopCommand, userCommand } from './account-commands';
import { serveCommand } from './serve-command';
import { startCommand } from './start-command';
import { templateCommand } from './template-command';

export const COMMANDS: readonly Command[] = [startCommand, serveCommand, coopCommand, userCommand, templateCommand];

const PROGRAM = 'cahier';
const DESCRIPTION = 'Cahier Coop – le cahier de comptabilité des coopératives scolaires.';

const stdio: Output = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
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
  try {
    const { values, positionals } = parseCommand(command, rest);
    if (values.help) {
      io.out(commandHelp(PROGRAM, command));
      return 0;
    }
    return await command.run(values, positionals, io);
  } catch (e) {
    if (e instanceof UserError) {
      io.err(`Erreur : ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
