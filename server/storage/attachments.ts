/**
 * Where the bytes of the pièces justificatives are kept, once per content (by sha256): in the
 * database (the default: a backup of the database is a backup of everything) or in a directory
 * (`--attachments DIR`). Neither keeps state in the process, so several instances of the service
 * can share one database, or one database and one directory.
 *
 * A store works with the transaction that adds or removes the attachment rows, so nothing is
 * kept half-way: the database store writes its content row in that transaction; the disk store
 * writes its file before the row (temp file + rename, so a file is whole or absent), takes it
 * back when the transaction fails and no row uses it, and removes it once no committed row uses
 * it. Instances never lock files: a removal moves the file aside, looks again for a row using
 * it, and puts it back if one appeared; an addition looks for its file once committed and
 * writes it again if a removal took it meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Transaction } from 'sequelize';
import type { Db } from '../db/connect';

export interface AttachmentStore {
  /** 'database' or 'disk', with the directory. */
  readonly description: string;
  /**
   * In the transaction `t` that adds an attachment row using `sha256`, before the row: keeps
   * the bytes (at most once per content).
   */
  put(t: Transaction, sha256: string, bytes: Buffer): Promise<void>;
  /**
   * In the transaction `t` that deleted an attachment row using `sha256`: the bytes go when no
   * other row uses them (the database store in `t`; the disk store waits for `settle`).
   */
  release(t: Transaction, sha256: string): Promise<void>;
  /**
   * After the transaction that called `put` or `release`, committed or not: the disk store
   * removes a file no committed row uses, and writes `bytes` again when a row uses them and
   * the file is missing. Nothing for the database store.
   */
  settle(sha256: string, bytes?: Buffer): Promise<void>;
  /** The bytes, or null when the store does not have them. */
  get(sha256: string): Promise<Buffer | null>;
}

const SHA256 = /^[0-9a-f]{64}$/;

function checkSha(sha256: string): string {
  if (!SHA256.test(sha256)) throw new Error(`empreinte sha256 invalide : ${sha256.slice(0, 80)}`);
  return sha256;
}

/** Committed attachment rows using a content. */
const rowsUsing = (db: Db, sha256: string, t?: Transaction) =>
  db.models.Attachment.count({ where: { sha256 }, ...(t ? { transaction: t } : {}) });

/** Bytes in the table attachment_contents, in the transactions of the attachment rows. */
export function databaseStore(db: Db): AttachmentStore {
  const { AttachmentContent } = db.models;
  const insert = `INSERT ${db.dialect === 'mysql' ? 'IGNORE' : 'OR IGNORE'} INTO attachment_contents (sha256, bytes) VALUES ($1, $2)`;
  // The content row is read FOR UPDATE (MySQL; SQLite writes one transaction at a time): an
  // addition and a removal of the same content wait for each other, so a removal that counts
  // no row never races an addition that found the content present.
  const lockContent = (t: Transaction, sha256: string) =>
    AttachmentContent.findOne({ attributes: ['sha256'], where: { sha256 }, transaction: t, lock: t.LOCK.UPDATE });
  return {
    description: 'base de données',
    async put(t, sha256, bytes) {
      checkSha(sha256);
      if (await lockContent(t, sha256)) return;
      // Bound parameters: the bytes travel as binary (a prepared statement on MySQL), never as
      // hexadecimal text twice their size in the SQL.
      await db.sequelize.query(insert, { bind: [sha256, bytes], transaction: t });
      // Another transaction may have inserted it first (IGNORE): hold it either way.
      await lockContent(t, sha256);
    },
    async release(t, sha256) {
      checkSha(sha256);
      if (!(await lockContent(t, sha256))) return;
      if ((await rowsUsing(db, sha256, t)) === 0)
        await AttachmentContent.destroy({ where: { sha256 }, transaction: t });
    },
    async settle() {
      /* all done in the transaction */
    },
    async get(sha256) {
      checkSha(sha256);
      const row = await AttachmentContent.findByPk(sha256);
      return row ? Buffer.from(row.bytes) : null;
    },
  };
}

const missing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * One file per content under `dir`: `dir/ab/ab12…` (the first two hex digits make 256
 * sub-directories). Files are written to a temporary name in the same directory, flushed,
 * then renamed, so a reader sees the whole file or none.
 */
export async function diskStore(db: Db, dir: string): Promise<AttachmentStore> {
  const root = resolve(dir);
  // Fail at start, not at the first upload, when the directory cannot be written.
  try {
    await mkdir(root, { recursive: true, mode: 0o750 });
    const probe = join(root, `.essai-${process.pid}-${randomBytes(4).toString('hex')}`);
    await (await open(probe, 'wx', 0o640)).close();
    await unlink(probe);
  } catch (e) {
    throw new Error(
      `le dossier des pièces justificatives ${root} n’est pas accessible en écriture (${(e as Error).message})`,
    );
  }

  const pathOf = (sha256: string) => join(root, checkSha(sha256).slice(0, 2), sha256);
  const temp = (sha256: string, what: string) =>
    join(root, sha256.slice(0, 2), `.${sha256}.${process.pid}.${randomBytes(6).toString('hex')}.${what}`);
  const exists = async (path: string) => {
    try {
      await stat(path);
      return true;
    } catch (e) {
      if (missing(e)) return false;
      throw e;
    }
  };

  async function write(sha256: string, bytes: Buffer): Promise<void> {
    const target = pathOf(sha256);
    await mkdir(join(root, sha256.slice(0, 2)), { recursive: true, mode: 0o750 });
    const tmp = temp(sha256, 'tmp');
    const file = await open(tmp, 'wx', 0o640);
    try {
      await file.writeFile(bytes);
      await file.sync();
    } catch (e) {
      await file.close();
      await rm(tmp, { force: true });
      throw e;
    }
    await file.close();
    try {
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /** Removes the file if no committed row uses it; puts it back if one appears meanwhile. */
  async function removeIfUnused(sha256: string): Promise<void> {
    if ((await rowsUsing(db, sha256)) > 0) return;
    const target = pathOf(sha256);
    const aside = temp(sha256, 'del');
    try {
      await rename(target, aside);
    } catch (e) {
      if (missing(e)) return;
      throw e;
    }
    if ((await rowsUsing(db, sha256)) > 0) await rename(aside, target);
    else await unlink(aside);
  }

  return {
    description: `disque (${root})`,
    async put(_t, sha256, bytes) {
      if (!(await exists(pathOf(sha256)))) await write(sha256, bytes);
    },
    async release() {
      /* after the commit, in settle */
    },
    async settle(sha256, bytes) {
      if (bytes && (await rowsUsing(db, sha256)) > 0) {
        if (!(await exists(pathOf(sha256)))) await write(sha256, bytes);
        return;
      }
      await removeIfUnused(sha256);
    },
    async get(sha256) {
      const path = pathOf(sha256);
      // A removal that finds a new row puts the file back at once: look twice before saying none.
      for (let attempt = 0; ; attempt++) {
        try {
          return await readFile(path);
        } catch (e) {
          if (!missing(e)) throw e;
          if (attempt >= 1) return null;
          await new Promise((ok) => setTimeout(ok, 50));
        }
      }
    },
  };
}

/** The store a service uses: on disk under `dir` when given, else in the database. */
export async function attachmentStore(db: Db, dir?: string | null): Promise<AttachmentStore> {
  return dir ? diskStore(db, dir) : databaseStore(db);
}
