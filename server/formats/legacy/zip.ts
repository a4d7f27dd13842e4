/**
 * A small zip reader over a buffer, for workbooks received from users (.xlsx and .ods are zips).
 *
 * The archive is judged from its central directory before anything is decompressed: entry count,
 * declared sizes, compression ratios, entries overlapping each other (the non-recursive zip bomb),
 * local headers agreeing with the directory. Then every entry that will be parsed is inflated
 * once as a stream, its output counted against the size it declared (a lying header is caught
 * after at most that many bytes, never held whole) and its CRC checked.
 *
 * Only what workbooks use: stored and deflated entries, zip64 sizes, no multi-volume archives,
 * no zip encryption (refused as a password-protected file).
 */
import zlib from 'node:zlib';
import { LegacyFileError, formatCount, formatMegabytes, protectedFile } from './errors';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Offset of the local header. */
  localOffset: number;
  /** Offset of the compressed data, after the local header. */
  dataStart: number;
}

export interface ZipLimits {
  maxEntries: number;
  /** The sum of every entry's declared size. */
  maxUncompressedBytes: number;
  /** One entry's declared size (ExcelJS holds a part whole as a string while it parses it). */
  maxEntryBytes: number;
  /** Uncompressed / compressed, for entries above RATIO_FLOOR_BYTES. */
  maxRatio: number;
}

/** Decompressed / compressed beyond which an entry is a bomb: XML sheets stay around 10. */
export const MAX_RATIO = 100;

/** Entries smaller than this are not judged by their ratio (a tiny XML part compresses well). */
const RATIO_FLOOR_BYTES = 1024 * 1024;

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;

const damaged = (file: string, detail: string) =>
  new LegacyFileError(
    'fichier_invalide',
    file,
    `le classeur est endommagé ou incomplet (${detail}). Ouvrez-le dans votre tableur, enregistrez-le à nouveau, puis importez-le.`,
  );

const suspect = (file: string, detail: string) =>
  new LegacyFileError(
    'archive_suspecte',
    file,
    `${detail} : ce n’est pas le contenu d’un cahier de comptabilité, le fichier est refusé avant d’être lu.`,
  );

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5);
}

function u64(bytes: Buffer, at: number): number {
  const value = bytes.readBigUInt64LE(at);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/** The end of central directory record: where the directory stands and how many entries it lists. */
function findDirectory(bytes: Buffer, file: string): { count: number; offset: number; size: number; end: number } {
  const last = bytes.length - 22;
  let eocd = -1;
  for (let at = last; at >= 0 && at >= last - 65535; at--) {
    if (bytes.readUInt32LE(at) === SIG_EOCD && at + 22 + bytes.readUInt16LE(at + 20) <= bytes.length) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw damaged(file, 'la fin de l’archive manque : le fichier est tronqué');
  if (bytes.readUInt16LE(eocd + 4) !== 0 || bytes.readUInt16LE(eocd + 6) !== 0) {
    throw damaged(file, 'archive en plusieurs volumes');
  }
  let count = bytes.readUInt16LE(eocd + 10);
  let size = bytes.readUInt32LE(eocd + 12);
  let offset = bytes.readUInt32LE(eocd + 16);
  let end = eocd;
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || bytes.readUInt32LE(locator) !== SIG_ZIP64_LOCATOR) {
      throw damaged(file, 'la fin de l’archive est illisible');
    }
    const record = u64(bytes, locator + 8);
    if (record + 56 > locator || bytes.readUInt32LE(record) !== SIG_ZIP64_EOCD) {
      throw damaged(file, 'la fin de l’archive est illisible');
    }
    count = u64(bytes, record + 32);
    size = u64(bytes, record + 40);
    offset = u64(bytes, record + 48);
    end = record;
  }
  if (offset + size > end) throw damaged(file, 'le sommaire de l’archive dépasse le fichier : il est tronqué');
  return { count, offset, size, end };
}

/**
 * The entries of a zip, judged before anything is decompressed. Throws LegacyFileError:
 * fichier_invalide (truncated, damaged), archive_suspecte (too many entries, too large once
 * decompressed, ratio of a bomb, overlapping entries), fichier_protege (zip encryption).
 */
export function readZipDirectory(bytes: Buffer, file: string, limits: ZipLimits): ZipEntry[] {
  const directory = findDirectory(bytes, file);
  if (directory.count > limits.maxEntries) {
    throw suspect(
      file,
      `l’archive contient ${formatCount(directory.count)} éléments (un classeur en compte quelques dizaines, limite ${formatCount(limits.maxEntries)})`,
    );
  }
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  const dirEnd = directory.offset + directory.size;
  let at = directory.offset;
  let total = 0;
  for (let i = 0; i < directory.count; i++) {
    if (at + 46 > dirEnd || bytes.readUInt32LE(at) !== SIG_CENTRAL) {
      throw damaged(file, 'le sommaire de l’archive est illisible');
    }
    const flags = bytes.readUInt16LE(at + 8);
    const method = bytes.readUInt16LE(at + 10);
    const crc = bytes.readUInt32LE(at + 16);
    let compressedSize = bytes.readUInt32LE(at + 20);
    let uncompressedSize = bytes.readUInt32LE(at + 24);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    let localOffset = bytes.readUInt32LE(at + 42);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > dirEnd) throw damaged(file, 'le sommaire de l’archive est illisible');
    const nameBytes = bytes.subarray(at + 46, at + 46 + nameLength);
    const name = nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1');
    // zip64: the sizes and offset that do not fit in 32 bits are in the extra field 0x0001, in this order.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = bytes.readUInt16LE(extra);
      const length = bytes.readUInt16LE(extra + 2);
      if (id === 0x0001) {
        let field = extra + 4;
        const read = () => {
          if (field + 8 > extra + 4 + length) throw damaged(file, 'le sommaire de l’archive est illisible');
          const value = u64(bytes, field);
          field += 8;
          return value;
        };
        if (uncompressedSize === 0xffffffff) uncompressedSize = read();
        if (compressedSize === 0xffffffff) compressedSize = read();
        if (localOffset === 0xffffffff) localOffset = read();
      }
      extra += 4 + length;
    }
    if (flags & 0x1) throw protectedFile(file);
    if (method !== 0 && method !== 8) {
      throw damaged(file, `« ${name} » est compressé d’une façon que les tableurs n’utilisent pas`);
    }
    if (method === 0 && compressedSize !== uncompressedSize)
      throw damaged(file, `« ${name} » a une taille incohérente`);
    if (names.has(name)) throw suspect(file, `l’archive contient deux fois « ${name} »`);
    names.add(name);
    // The local header must stand where the directory says, name the same entry, and its data must
    // end before the directory.
    if (localOffset + 30 > directory.offset || bytes.readUInt32LE(localOffset) !== SIG_LOCAL) {
      throw damaged(file, `« ${name} » est introuvable dans l’archive`);
    }
    const localNameLength = bytes.readUInt16LE(localOffset + 26);
    const dataStart = localOffset + 30 + localNameLength + bytes.readUInt16LE(localOffset + 28);
    if (!bytes.subarray(localOffset + 30, localOffset + 30 + localNameLength).equals(nameBytes)) {
      throw damaged(file, `« ${name} » ne correspond pas au sommaire de l’archive`);
    }
    if (dataStart + compressedSize > directory.offset) throw damaged(file, `« ${name} » est tronqué`);
    if (uncompressedSize > RATIO_FLOOR_BYTES && uncompressedSize > limits.maxRatio * Math.max(compressedSize, 1)) {
      throw suspect(
        file,
        `« ${name} » passerait de ${formatMegabytes(compressedSize)} à ${formatMegabytes(uncompressedSize)} une fois décompressé (${formatCount(uncompressedSize / Math.max(compressedSize, 1))} fois plus ; un classeur ne dépasse pas ${formatCount(limits.maxRatio)} fois)`,
      );
    }
    if (uncompressedSize > limits.maxEntryBytes) {
      throw suspect(
        file,
        `« ${name} » ferait ${formatMegabytes(uncompressedSize)} une fois décompressé (limite : ${formatMegabytes(limits.maxEntryBytes)})`,
      );
    }
    total += uncompressedSize;
    if (total > limits.maxUncompressedBytes) {
      throw suspect(
        file,
        `son contenu décompressé dépasserait ${formatMegabytes(limits.maxUncompressedBytes)} (limite pour un classeur)`,
      );
    }
    entries.push({ name, method, crc, compressedSize, uncompressedSize, localOffset, dataStart });
    at = next;
  }
  // Entries sharing bytes: the way a small file declares gigabytes (each entry looks modest).
  const byOffset = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const before = byOffset[i - 1]!;
    if (before.dataStart + before.compressedSize > byOffset[i]!.localOffset) {
      throw suspect(file, `les éléments « ${before.name} » et « ${byOffset[i]!.name} » se chevauchent`);
    }
  }
  return entries;
}

/**
 * Decompresses one entry as a stream of chunks (64 KB), never more than the size it declared:
 * past it, the entry lied and the file is refused (archive_suspecte) at once; a deflate error, a
 * short output or a wrong CRC refuse it as damaged.
 */
export function inflateEntry(
  bytes: Buffer,
  entry: ZipEntry,
  file: string,
  onChunk?: (chunk: Buffer) => void,
): Promise<void> {
  const data = bytes.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
  if (entry.method === 0) {
    if (zlib.crc32(data) !== entry.crc) return Promise.reject(damaged(file, `« ${entry.name} » est corrompu`));
    for (let at = 0; at < data.length; at += 65536) onChunk?.(data.subarray(at, at + 65536));
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const inflater = zlib.createInflateRaw({ chunkSize: 65536 });
    let settled = false;
    let total = 0;
    let crc = 0;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      inflater.destroy();
      reject(error);
    };
    inflater.on('data', (chunk: Buffer) => {
      if (settled) return;
      total += chunk.length;
      if (total > entry.uncompressedSize) {
        // Past its declared size: a bomb when each compressed byte gave far more than XML does,
        // else damaged data decoding into garbage.
        const bomb = total > MAX_RATIO * Math.max(inflater.bytesWritten, 1);
        fail(
          bomb
            ? suspect(
                file,
                `« ${entry.name} » se décompresse au-delà des ${formatMegabytes(entry.uncompressedSize)} qu’il annonce`,
              )
            : damaged(file, `« ${entry.name} » est corrompu`),
        );
        return;
      }
      crc = zlib.crc32(chunk, crc);
      try {
        onChunk?.(chunk);
      } catch (error) {
        fail(error);
      }
    });
    inflater.on('error', () => fail(damaged(file, `« ${entry.name} » est corrompu`)));
    inflater.on('end', () => {
      if (settled) return;
      if (total !== entry.uncompressedSize || crc !== entry.crc) {
        fail(damaged(file, `« ${entry.name} » est corrompu`));
        return;
      }
      settled = true;
      resolve();
    });
    inflater.end(data);
  });
}

/** One entry decompressed whole (for the small parts: workbook.xml, its relationships, ODF's mimetype). */
export async function entryContent(bytes: Buffer, entry: ZipEntry, file: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await inflateEntry(bytes, entry, file, (chunk) => chunks.push(Buffer.from(chunk)));
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------------------------------------
// Re-packing: the entries to parse, in the order the parser needs, as a new stream of local
// entries (header + the verified compressed bytes, never decompressed here).

function localHeader(name: string, method: number, crc: number, compressedSize: number, size: number): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const header = Buffer.alloc(30);
  header.writeUInt32LE(SIG_LOCAL, 0);
  header.writeUInt16LE(20, 4); // version needed: 2.0
  header.writeUInt16LE(0x800, 6); // UTF-8 name; sizes known (no data descriptor)
  header.writeUInt16LE(method, 8);
  header.writeUInt16LE(0, 10); // time
  header.writeUInt16LE(0x21, 12); // date: 1980-01-01
  header.writeUInt32LE(crc >>> 0, 14);
  header.writeUInt32LE(compressedSize, 18);
  header.writeUInt32LE(size, 22);
  header.writeUInt16LE(nameBytes.length, 26);
  header.writeUInt16LE(0, 28);
  return Buffer.concat([header, nameBytes]);
}

/** An entry of `bytes` under a new name: its fresh local header, then its compressed data as it is. */
export function repacked(bytes: Buffer, entry: ZipEntry, name: string): Buffer[] {
  return [
    localHeader(name, entry.method, entry.crc, entry.compressedSize, entry.uncompressedSize),
    bytes.subarray(entry.dataStart, entry.dataStart + entry.compressedSize),
  ];
}

/** A stored entry with the given content. */
export function storedEntry(name: string, content: Buffer): Buffer[] {
  return [localHeader(name, 0, zlib.crc32(content), content.length, content.length), content];
}
