/**
 * Sessions: a login gives a random token (only its SHA-256 is stored) that expires; logout
 * revokes it.
 *
 * Password checks are throttled in the database, so the limits hold across every instance of
 * the service: before any hashing, one write transaction reserves the check under each of its
 * keys (login and address, address, login everywhere) and refuses with 429 when a key's window
 * is full. Checking and counting are one step: attempts sent in parallel cannot all slip in
 * before the first failure is counted. A check that succeeds gives its reservation back.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Op, type Transaction } from 'sequelize';
import type { Db } from '../db/connect';
import { dummyHash, verifyPassword } from '../auth/password';
import { readSession, type Principal } from './access';
import { ServiceError } from './errors';

export const LOCKOUT = {
  /** Password checks of one login from one address in a window: a user who mistypes. */
  perLogin: 5,
  /** Password checks from one address, every login together, in a window. */
  perAddress: 30,
  windowMinutes: 15,
  /**
   * Password checks of one login from every address together, over a day: bounds an attack
   * spread over many addresses to this many guesses a day. Addresses where the login opened a
   * session within `knownAddressDays` are not held by it: such an attack cannot lock a user out
   * where she usually works.
   */
  perLoginEverywhere: 100,
  everywhereWindowMinutes: 24 * 60,
  knownAddressDays: 90,
};

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

const MINUTE = 60_000;

/** One counter of the throttle: at most `checks` password checks under `key` per window. */
interface Limit {
  key: string;
  checks: number;
  minutes: number;
}

type Row = InstanceType<Db['models']['LoginAttempt']>;

/** What a check holds once reserved: the windows it was counted in, to give it back. */
type Reservation = { key: string; windowStart: Date }[];

/**
 * The counters' keys. Each ends with a line break: MySQL compares text ignoring trailing spaces,
 * and "login " must not read the counter of "login". Logins (at most 100 characters) and
 * addresses hold no control character: a key is unambiguous and fits its column.
 */
const keys = (login: string, address: string) => {
  const l = login.slice(0, 100);
  const a = address.slice(0, 60);
  return {
    pair: `pair:${l}\n${a}\n`,
    address: `ip:${a}\n`,
    login: `login:${l}\n`,
    known: `ok:${l}\n${a}\n`,
  };
};

const parisDay = (d: Date) => d.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' });
const hhmm = (d: Date) =>
  d.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' });
/** "14:05", or "demain 14:05" for a long lock that ends on another day. */
function until(d: Date, now: Date): string {
  const longLock = d.getTime() - now.getTime() > 60 * MINUTE;
  return longLock && parisDay(d) !== parisDay(now) ? `demain ${hhmm(d)}` : hhmm(d);
}

function locked(lockEnd: Date, now: Date): ServiceError {
  return new ServiceError(
    429,
    'connexion_bloquee',
    `Trop d’essais infructueux : la connexion est bloquée jusqu’à ${until(lockEnd, now)}. Réessayez ensuite ou demandez un nouveau mot de passe à votre association départementale.`,
    { retryAfter: Math.max(1, Math.ceil((lockEnd.getTime() - now.getTime()) / 1000)) },
  );
}

/** MySQL gave up a transaction to break a deadlock: it did nothing and may run again. */
const deadlock = (e: unknown) => (e as { parent?: { errno?: number } }).parent?.errno === 1213;

async function retried<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= 5 || !deadlock(e)) throw e;
    }
  }
}

/**
 * Reserves one password check of `login` from `address`, or refuses (429) without counting it.
 * One transaction holds every counter's row (FOR UPDATE on MySQL, the single writer on SQLite)
 * while it is read and incremented.
 */
async function reserveCheck(db: Db, login: string, address: string): Promise<Reservation> {
  const { LoginAttempt } = db.models;
  const k = keys(login, address);
  // Whole seconds: the stored window start compares equal when the check is given back.
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const seen = await LoginAttempt.findByPk(k.known);
  const known =
    seen !== null && new Date(seen.windowStart).getTime() + LOCKOUT.knownAddressDays * 1440 * MINUTE > now.getTime();
  const limits: Limit[] = [
    { key: k.pair, checks: LOCKOUT.perLogin, minutes: LOCKOUT.windowMinutes },
    { key: k.address, checks: LOCKOUT.perAddress, minutes: LOCKOUT.windowMinutes },
    ...(known ? [] : [{ key: k.login, checks: LOCKOUT.perLoginEverywhere, minutes: LOCKOUT.everywhereWindowMinutes }]),
  ];
  const empty = (key: string) => ({ key, checks: 0, windowStart: now, lockedUntil: null });
  // A missing counter is created first, alone in its transaction: inserting inside the one below
  // would take gap locks on MySQL, where parallel attempts would deadlock.
  const existing = await LoginAttempt.findAll({ attributes: ['key'], where: { key: limits.map((l) => l.key) } });
  for (const { key } of limits.filter((l) => !existing.some((e) => e.key === l.key))) {
    await retried(() =>
      db.write((t) => LoginAttempt.bulkCreate([empty(key)], { ignoreDuplicates: true, transaction: t })),
    );
  }
  return retried(() =>
    db.write(async (t) => {
      // Rows are taken in the order of `limits`, the same in every attempt: two attempts that
      // share counters never wait for each other in a circle.
      const rows: Row[] = [];
      for (const limit of limits) {
        const held = () => LoginAttempt.findByPk(limit.key, { transaction: t, lock: t.LOCK.UPDATE });
        let row = await held();
        if (!row) {
          // Deleted meanwhile (by hand): created again here.
          await LoginAttempt.bulkCreate([empty(limit.key)], { ignoreDuplicates: true, transaction: t });
          row = await held();
        }
        rows.push(row!);
      }
      // The time once the counters are held: an attempt that waited for them never reads a window
      // opened "after" its own clock (the lock would then seem to last longer than a window).
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const next = limits.map((limit, i) => {
        const row = rows[i]!;
        const windowEnd = new Date(row.windowStart).getTime() + limit.minutes * MINUTE;
        const lockEnd = row.lockedUntil === null ? null : new Date(row.lockedUntil).getTime();
        // A window over, or a lock lifted, starts a new window.
        const fresh = windowEnd <= now.getTime() || (lockEnd !== null && lockEnd <= now.getTime());
        return {
          limit,
          row,
          full: !fresh && (lockEnd !== null || row.checks >= limit.checks),
          lockEnd: lockEnd ?? windowEnd,
          windowStart: fresh ? now : new Date(row.windowStart),
          checks: fresh ? 1 : row.checks + 1,
        };
      });
      const refused = next.filter((n) => n.full);
      if (refused.length) throw locked(new Date(Math.max(...refused.map((n) => n.lockEnd))), now);
      for (const { limit, row, windowStart, checks } of next) {
        const lockedUntil = checks >= limit.checks ? new Date(windowStart.getTime() + limit.minutes * MINUTE) : null;
        await row.update({ checks, windowStart, lockedUntil }, { transaction: t });
      }
      return next.map((n) => ({ key: n.limit.key, windowStart: n.windowStart }));
    }),
  );
}

/** A check that succeeded is not counted: its reservation is given back, in its window only. */
async function giveBack(db: Db, t: Transaction, reservation: Reservation): Promise<void> {
  for (const { key, windowStart } of reservation) {
    await db.models.LoginAttempt.update(
      { checks: db.sequelize.literal('checks - 1'), lockedUntil: null },
      { where: { key, windowStart, checks: { [Op.gt]: 0 } }, transaction: t },
    );
  }
}

export async function login(db: Db, loginName: string, password: string, address: string, hours: number) {
  const reservation = await reserveCheck(db, loginName, address);
  const user = await db.models.User.findOne({ where: { login: loginName } });
  // The same work whether the login exists or not: nothing tells which logins exist.
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
  if (!user || !ok || user.login !== loginName) {
    // The reservation stays: it is the failure, counted before the check began.
    throw new ServiceError(
      401,
      'identifiants_incorrects',
      'Identifiant ou mot de passe incorrect (attention aux majuscules et minuscules).',
    );
  }
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + hours * 3600_000);
  await retried(() =>
    db.write(async (t) => {
      await db.models.Session.create(
        { tokenHash: tokenHash(token), userId: user.id, expiresAt, revokedAt: null },
        { transaction: t },
      );
      await giveBack(db, t, reservation);
      // This address is now one where the login works: an attack from elsewhere does not lock it.
      await db.models.LoginAttempt.upsert(
        { key: keys(loginName, address).known, checks: 0, windowStart: new Date(), lockedUntil: null },
        { transaction: t },
      );
    }),
  );
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
  return (await readSession(db, tokenHash(token))).principal;
}

export async function logout(db: Db, hash: string): Promise<void> {
  await db.write((t) =>
    db.models.Session.update({ revokedAt: new Date() }, { where: { tokenHash: hash }, transaction: t }),
  );
}
