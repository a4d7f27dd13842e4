/**
 * A zip archive written as it goes, entries stored (not compressed): the department's batch of
 * cahier workbooks streamed to the client one workbook at a time.
 *
 * Written here rather than taken from an archiving package: an .xlsx is already a deflated zip,
 * so compressing it again gains nothing and costs a core; storing needs only the CRC-32
 * (zlib.crc32, in Node since 20.15) and the headers below, about sixty lines and no new
 * dependency. Each entry is whole in memory when it is added (a workbook), so its size and CRC
 * go in the local header: no data descriptor. Classic zip only (no zip64): an archive or an
 * entry past 4 Gio, or past 65,535 entries, is refused rather than written wrong.
 */
import { crc32 } from 'node:zlib';

const LIMIT = 0xffffffff;
/** Bit 11: the file name is UTF-8. */
const UTF8 = 0x0800;

/** The date and time of an entry, MS-DOS style (local time, two-second steps). */
function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((Math.max(1980, d.getFullYear()) - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

interface Written {
  name: Buffer;
  crc: number;
  size: number;
  offset: number;
  time: number;
  date: number;
}

export class ZipStoreWriter {
  private readonly entries: Written[] = [];
  private offset = 0;

  /** The bytes of one entry (local header and data), to write out before the next is built. */
  entry(name: string, data: Buffer, modified = new Date()): Buffer {
    if (this.entries.length >= 0xffff) throw new Error('Archive zip : 65 535 fichiers au plus.');
    if (data.length >= LIMIT || this.offset + data.length + 30 + name.length >= LIMIT) {
      throw new Error('Archive zip : 4 Gio au plus.');
    }
    const file = Buffer.from(name, 'utf8');
    const { time, date } = dosTime(modified);
    const crc = crc32(data);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4); // version needed: 2.0
    header.writeUInt16LE(UTF8, 6);
    header.writeUInt16LE(0, 8); // stored
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(file.length, 26);
    header.writeUInt16LE(0, 28);
    this.entries.push({ name: file, crc, size: data.length, offset: this.offset, time, date });
    this.offset += header.length + file.length + data.length;
    return Buffer.concat([header, file, data]);
  }

  /** The central directory and its end record: the archive's last bytes. */
  end(): Buffer {
    const parts: Buffer[] = [];
    let size = 0;
    for (const e of this.entries) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(20, 4); // made by: 2.0
      h.writeUInt16LE(20, 6);
      h.writeUInt16LE(UTF8, 8);
      h.writeUInt16LE(0, 10);
      h.writeUInt16LE(e.time, 12);
      h.writeUInt16LE(e.date, 14);
      h.writeUInt32LE(e.crc, 16);
      h.writeUInt32LE(e.size, 20);
      h.writeUInt32LE(e.size, 24);
      h.writeUInt16LE(e.name.length, 28);
      h.writeUInt32LE(e.offset, 42);
      parts.push(h, e.name);
      size += h.length + e.name.length;
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(size, 12);
    end.writeUInt32LE(this.offset, 16);
    return Buffer.concat([...parts, end]);
  }
}
