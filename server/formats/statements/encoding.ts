/**
 * Bytes → text for the text formats. French bank exports come in UTF-8 (with or without a byte
 * order mark) or in Windows-1252 (cp1252): bytes that are not valid UTF-8 are read as cp1252.
 */
import iconv from 'iconv-lite';

export function decodeText(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) return decodeUtf8OrCp1252(buffer.subarray(3));
  if (buffer[0] === 0xff && buffer[1] === 0xfe) return iconv.decode(buffer.subarray(2), 'utf16le');
  if (buffer[0] === 0xfe && buffer[1] === 0xff) return iconv.decode(buffer.subarray(2), 'utf16be');
  return decodeUtf8OrCp1252(buffer);
}

function decodeUtf8OrCp1252(buffer: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    return iconv.decode(buffer, 'win1252');
  }
}
