/** `cahier coop add` and `cahier user add`. */
import { ROLES, type Role } from '../db/models';
import { addCoop, addUser } from '../operations/accounts';
import { requireString, UserError, type Command } from './command';
import { DB_OPTION, withDb } from './db-option';
import { PASSWORD_OPTION_REMOVED, readNewPassword } from './secret';

function sub(values: string[], expected: string, command: string): void {
  if (values[0] !== expected || values.length > 1) {
    throw new UserError(`Usage : cahier ${command} ${expected} … (voir cahier ${command} --help)`, 2);
  }
}

export const coopCommand: Command = {
  name: 'coop',
  summary: 'ajoute une coopérative (coop add)',
  usage: 'add --number N --name NOM --department CODE [--school ÉCOLE] [--db URL]',
  options: {
    number: { type: 'string', value: 'N', description: 'numéro de la coopérative (ex. : 087-0123)' },
    name: { type: 'string', value: 'NOM', description: 'nom de la coopérative' },
    department: { type: 'string', value: 'CODE', description: 'département (ex. : 87)' },
    school: { type: 'string', value: 'ÉCOLE', description: 'école' },
    db: DB_OPTION,
  },
  async run(values, positionals, io) {
    sub(positionals, 'add', 'coop');
    const input = {
      number: requireString(values, 'number'),
      name: requireString(values, 'name'),
      department: requireString(values, 'department'),
      school: typeof values.school === 'string' ? values.school : null,
    };
    const coop = await withDb(values, (db) => addCoop(db, input));
    io.out(`Coopérative ${coop.number} « ${coop.name} » ajoutée (département ${coop.departmentCode}).\n`);
    return 0;
  },
};

export const userCommand: Command = {
  name: 'user',
  summary: 'ajoute un utilisateur (user add)',
  usage:
    'add --login L (--coop N | --department CODE) [--role mandataire|tresorier|admin] [--password-stdin] [--db URL]',
  options: {
    login: { type: 'string', value: 'L', description: 'identifiant (sensible à la casse)' },
    'password-stdin': {
      type: 'boolean',
      description: 'lit le mot de passe sur la première ligne de l’entrée standard (sinon : demandé sans écho)',
    },
    coop: { type: 'string', value: 'N', description: 'coopérative du mandataire' },
    department: { type: 'string', value: 'CODE', description: 'département du trésorier départemental' },
    role: {
      type: 'string',
      value: 'RÔLE',
      description: 'mandataire, tresorier ou admin (déduit de --coop / --department)',
    },
    db: DB_OPTION,
  },
  removed: { password: PASSWORD_OPTION_REMOVED },
  async run(values, positionals, io) {
    sub(positionals, 'add', 'user');
    const role = values.role as string | undefined;
    if (role !== undefined && !(ROLES as readonly string[]).includes(role)) {
      throw new UserError(`--role : ${ROLES.join(', ')} (pas « ${role} »).`, 2);
    }
    if (values.coop && values.department) throw new UserError('Indiquez --coop ou --department, pas les deux.', 2);
    if (!values.coop && !values.department && role !== 'admin') {
      throw new UserError('Indiquez --coop N (mandataire) ou --department CODE (trésorier), ou --role admin.', 2);
    }
    const login = requireString(values, 'login');
    // Every argument is checked before the password is asked for.
    const password = await readNewPassword(io, Boolean(values['password-stdin']));
    const user = await withDb(values, (db) =>
      addUser(db, {
        login,
        password,
        role: role as Role | undefined,
        coop: (values.coop as string | undefined) ?? null,
        department: (values.department as string | undefined) ?? null,
      }),
    );
    const where =
      user.role === 'mandataire'
        ? ` de la coopérative ${String(values.coop)}`
        : user.role === 'tresorier'
          ? ` du département ${user.departmentCode}`
          : '';
    io.out(`Utilisateur ${user.login} ajouté : ${user.role}${where}.\n`);
    return 0;
  },
};
