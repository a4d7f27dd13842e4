/**
 * The OLE2 compound file (CFB, "D0 CF 11 E0") that holds an Excel 97-2003 workbook — or, under the
 * same signature, an .xlsx encrypted with a password (its EncryptionInfo and EncryptedPackage
 * streams), a Word .doc, a PowerPoint .ppt. Only what telling them apart needs: the directory's
 * stream names, and the first bytes of one stream. Every sector chain is bounded by the file's
 * own sector count, so a looping or truncated container is refused, never followed forever.
 */

export const CFB_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] as const;

const END_OF_CHAIN = 0xfffffffe;
const FREE_SECTOR = 0xffffffff;
const NO_STREAM = 0xffffffff;
const MAX_DIRECTORY_ENTRIES = 100_000;

export interface CfbEntry {
  name: string;
  /** 1 storage, 2 stream, 5 root. */
  type: number;
  start: number;
  size: number;
}

export interface Cfb {
  entries: CfbEntry[];
  /** The first `max` bytes of a stream (fewer when the stream is shorter). */
  read(entry: CfbEntry, max: number): Buffer;
}

/** Thrown for a container that cannot be followed (the caller says « endommagé »). */
export class CfbError extends Error {}

export function isCfb(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && CFB_SIGNATURE.every((b, i) => bytes[i] === b);
}

export function readCfb(bytes: Buffer): Cfb {
  if (!isCfb(bytes) || bytes.length < 512) throw new CfbError('en-tête incomplet');
  const sectorShift = bytes.readUInt16LE(0x1e);
  const miniShift = bytes.readUInt16LE(0x20);
  if ((sectorShift !== 9 && sectorShift !== 12) || miniShift !== 6) throw new CfbError('taille de secteur inconnue');
  const sectorSize = 1 << sectorShift;
  const sectorCount = Math.floor((bytes.length - sectorSize) / sectorSize) + (bytes.length % sectorSize ? 1 : 0);
  const fatSectorCount = bytes.readUInt32LE(0x2c);
  const firstDirectory = bytes.readUInt32LE(0x30);
  const miniCutoff = bytes.readUInt32LE(0x38);
  const firstMiniFat = bytes.readUInt32LE(0x3c);
  let difatSector = bytes.readUInt32LE(0x44);
  const difatCount = bytes.readUInt32LE(0x48);
  if (fatSectorCount > sectorCount || difatCount > sectorCount) throw new CfbError('table d’allocation incohérente');

  const sectorAt = (n: number): Buffer => {
    if (n >= sectorCount) throw new CfbError('secteur hors du fichier');
    const start = (n + 1) * sectorSize;
    return bytes.subarray(start, Math.min(start + sectorSize, bytes.length));
  };

  // The FAT's own sectors: 109 in the header, the rest in the DIFAT chain.
  const fatSectors: number[] = [];
  for (let i = 0; i < 109 && fatSectors.length < fatSectorCount; i++) fatSectors.push(bytes.readUInt32LE(0x4c + i * 4));
  for (let d = 0; d < difatCount && fatSectors.length < fatSectorCount; d++) {
    const sector = sectorAt(difatSector);
    const perSector = sectorSize / 4 - 1;
    for (let i = 0; i < perSector && fatSectors.length < fatSectorCount; i++)
      fatSectors.push(sector.readUInt32LE(i * 4));
    difatSector = sector.readUInt32LE(perSector * 4);
  }
  if (fatSectors.length < fatSectorCount) throw new CfbError('table d’allocation tronquée');
  const fat = new Uint32Array(fatSectors.length * (sectorSize / 4)).fill(FREE_SECTOR);
  fatSectors.forEach((n, k) => {
    const sector = sectorAt(n);
    for (let i = 0; i + 4 <= sector.length; i += 4) fat[k * (sectorSize / 4) + i / 4] = sector.readUInt32LE(i);
  });

  const chain = (start: number, table: ArrayLike<number>, limit: number, maxLength = Infinity): number[] => {
    const sectors: number[] = [];
    let n = start;
    while (n !== END_OF_CHAIN && sectors.length < maxLength) {
      if (n >= table.length || n === FREE_SECTOR || sectors.length >= limit)
        throw new CfbError('chaîne de secteurs rompue');
      sectors.push(n);
      n = table[n]!;
    }
    return sectors;
  };

  const readChain = (start: number, max: number): Buffer => {
    const sectors = chain(start, fat, sectorCount, Math.ceil(max / sectorSize));
    return Buffer.concat(sectors.map(sectorAt)).subarray(0, max);
  };

  // The directory: 128-byte entries.
  const directory = Buffer.concat(chain(firstDirectory, fat, sectorCount).map(sectorAt));
  const entries: CfbEntry[] = [];
  for (let at = 0; at + 128 <= directory.length && entries.length < MAX_DIRECTORY_ENTRIES; at += 128) {
    const type = directory[at + 0x42]!;
    if (type !== 1 && type !== 2 && type !== 5) continue;
    const nameLength = Math.min(directory.readUInt16LE(at + 0x40), 64);
    const name = directory.toString('utf16le', at, at + Math.max(0, nameLength - 2));
    entries.push({ name, type, start: directory.readUInt32LE(at + 0x74), size: directory.readUInt32LE(at + 0x78) });
  }
  const root = entries.find((e) => e.type === 5);
  if (!root) throw new CfbError('répertoire sans racine');

  let miniFat: Uint32Array | null = null;
  let miniStream: Buffer | null = null;
  const read = (entry: CfbEntry, max: number): Buffer => {
    const wanted = Math.min(max, entry.size);
    if (wanted === 0) return Buffer.alloc(0);
    if (entry.type === 5 || entry.size >= miniCutoff) return readChain(entry.start, wanted);
    // Small streams live in 64-byte mini sectors inside the root's stream.
    if (!miniFat || !miniStream) {
      const table = firstMiniFat === END_OF_CHAIN ? Buffer.alloc(0) : readChain(firstMiniFat, sectorCount * sectorSize);
      miniFat = new Uint32Array(Math.floor(table.length / 4));
      for (let i = 0; i < miniFat.length; i++) miniFat[i] = table.readUInt32LE(i * 4);
      miniStream =
        root.start === END_OF_CHAIN || root.start === NO_STREAM ? Buffer.alloc(0) : readChain(root.start, root.size);
    }
    const stream = miniStream;
    const sectors = chain(entry.start, miniFat, miniFat.length + 1, Math.ceil(wanted / 64));
    return Buffer.concat(
      sectors.map((n) => {
        if ((n + 1) * 64 > stream.length) throw new CfbError('mini-secteur hors du flux');
        return stream.subarray(n * 64, (n + 1) * 64);
      }),
    ).subarray(0, wanted);
  };
  return { entries, read };
}

/**
 * Whether a BIFF workbook stream is encrypted: a FILEPASS record (0x002F) among the records of its
 * first substream, before the first sheet declaration. Excel also encrypts with its default
 * password (VelvetSweatshop) files that open without asking one, so this alone does not refuse a
 * file: it names the reason when LibreOffice cannot open it.
 */
export function biffIsEncrypted(head: Buffer): boolean {
  let at = 0;
  for (let records = 0; records < 200 && at + 4 <= head.length; records++) {
    const type = head.readUInt16LE(at);
    const length = head.readUInt16LE(at + 2);
    if (type === 0x002f) return true;
    if (type === 0x0085 || type === 0x000a) return false; // BOUNDSHEET, EOF
    at += 4 + length;
  }
  return false;
}
