/**
 * Sessions: a login gives a random token (only its SHA-256 is stored) that expires; logout
 * revokes it. Failed logins are counted in the database (per login and per address), so the
 * lockout holds across every instance of the service.
 */
import { createHash, randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type { Db } from '../db/connect';
import { dummyHash, verifyPassword } from '../auth/password';
import type { Principal } from './access';
import { ServiceError } from './errors';

export const LOCKOUT = {
  /** Failures of one login before it is locked. */
  perLogin: 5,
  /** Failures from one address (any logins) before it is locked. */
  perAddress: 30,
  windowMinutes: 15,
  lockMinutes: 15,
};

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

const hhmm = (d: Date) =>
  d.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' });

async function lockedUntil(db: Db, keys: string[]): Promise<Date | null> {
  const rows = await db.models.LoginAttempt.findAll({ where: { key: keys } });
  const now = Date.now();
  const until = rows.map((r) => r.lockedUntil).filter((d): d is Date => d !== null && new Date(d).getTime() > now);
  return until.length ? new Date(Math.max(...until.map((d) => new Date(d).getTime()))) : null;
}

async function recordFailure(db: Db, keys: { key: string; max: number }[]): Promise<void> {
  const now = new Date();
  await db.write(async (t) => {
    for (const { key, max } of keys) {
      const row = await db.models.LoginAttempt.findByPk(key, { transaction: t, lock: t.LOCK.UPDATE });
      const fresh = !row || now.getTime() - new Date(row.windowStart).getTime() > LOCKOUT.windowMinutes * 60_000;
      const failures = fresh ? 1 : row.failures + 1;
      const lock = failures >= max ? new Date(now.getTime() + LOCKOUT.lockMinutes * 60_000) : null;
      if (!row) {
        await db.models.LoginAttempt.create({ key, failures, windowStart: now, lockedUntil: lock }, { transaction: t });
      } else {
        await row.update(
          {
            failures: lock ? 0 : failures,
            windowStart: fresh || lock ? now : row.windowStart,
            lockedUntil: lock ?? row.lockedUntil,
          },
          { transaction: t },
        );
      }
    }
  });
}

export async function login(db: Db, loginName: string, password: string, address: string, hours: number) {
  const keys = [`login:${loginName}`, `ip:${address}`];
  const locked = await lockedUntil(db, keys);
  if (locked) {
    throw new ServiceError(
      429,
      'connexion_bloquee',
      `Trop d’essais infructueux : la connexion est bloquée jusqu’à ${hhmm(locked)}. Réessayez ensuite ou demandez un nouveau mot de passe à votre association départementale.`,
      { retryAfter: Math.ceil((locked.getTime() - Date.now()) / 1000) },
    );
  }
  const user = await db.models.User.findOne({ where: { login: loginName } });
  // The same work whether the login exists or not: nothing tells which logins exist.
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
  if (!user || !ok || user.login !== loginName) {
    await recordFailure(db, [
      { key: keys[0]!, max: LOCKOUT.perLogin },
      { key: keys[1]!, max: LOCKOUT.perAddress },
    ]);
    throw new ServiceError(
      401,
      'identifiants_incorrects',
      'Identifiant ou mot de passe incorrect (attention aux majuscules et minuscules).',
    );
  }
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + hours * 3600_000);
  await db.write(async (t) => {
    await db.models.Session.create(
      { tokenHash: tokenHash(token), userId: user.id, expiresAt, revokedAt: null },
      { transaction: t },
    );
    await db.models.LoginAttempt.destroy({ where: { key: keys[0]! }, transaction: t });
  });
  let coop: string | null = null;
  if (user.coopId !== null) coop = (await db.models.Coop.findByPk(user.coopId))?.number ?? null;
  return {
    token,
    expiresAt: expiresAt.toISOString(),
    user: { login: user.login, role: user.role, coop, department: user.departmentCode },
  };
}

/** The user of a live session, in one query (every request asks). */
export async function authenticate(db: Db, token: string): Promise<Principal | null> {
  const [row] = await db.sequelize.query<Record<string, unknown>>(
    `SELECT u.id, u.login, u.role, u.coop_id, u.department_code, s.expires_at, s.revoked_at
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = :hash`,
    { replacements: { hash: tokenHash(token) }, type: QueryTypes.SELECT },
  );
  const expires = new Date(row?.expires_at as string).getTime();
  if (!row || row.revoked_at || !(expires > Date.now())) return null;
  return {
    userId: Number(row.id),
    login: String(row.login),
    role: row.role as Principal['role'],
    coopId: row.coop_id === null ? null : Number(row.coop_id),
    departmentCode: (row.department_code as string | null) ?? null,
  };
}

export async function logout(db: Db, hash: string): Promise<void> {
  await db.write((t) =>
    db.models.Session.update({ revokedAt: new Date() }, { where: { tokenHash: hash }, transaction: t }),
  );
}
