/**
 * ustar headers (POSIX.1-1988, with the pax extended header of POSIX.1-2001 for names that
 * do not fit), encoded into a caller's buffer. Pure: no I/O.
 *
 * The field layout is the standard one; the formatting follows what runner-kit's context
 * tar has always held (tar-fs over tar-stream): numbers as zero-padded octal ended by a
 * space, directories named without a trailing slash, no user or group names, and a name
 * that is not ASCII, or too long for ustar's name and prefix fields, given as a pax `path`
 * record in an entry named "PaxHeader", followed by a header of that same name.
 */

export type TarEntryType = "file" | "directory" | "symlink";

export interface TarHeader {
  name: string;
  type: TarEntryType;
  /** Permission bits (0o7777 at most). */
  mode: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  uid: number;
  gid: number;
  linkname?: string;
}

export const BLOCK = 512;
/** ustar's size field holds 11 octal digits: files of 8 GiB and more do not fit. */
export const MAX_FILE_SIZE = 8 ** 11 - 1;

const TYPEFLAG: Record<TarEntryType | "pax", number> = { file: 0x30, symlink: 0x32, directory: 0x35, pax: 0x78 };
const MAGIC = "ustar\u000000";

/** `value` as `digits` zero-padded octal digits and a space; all sevens when it does not fit. */
function octal(buf: Buffer, offset: number, value: number, digits: number): void {
  let text = Math.max(0, Math.floor(value)).toString(8);
  if (text.length > digits) text = "7".repeat(digits);
  buf.write(`${"0".repeat(digits - text.length)}${text} `, offset, "latin1");
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** The name split over ustar's prefix (155) and name (100) fields at a slash, or undefined when it cannot be. */
function splitName(name: string): { prefix: string; name: string } | undefined {
  if (!isAscii(name)) return undefined;
  let prefix = "";
  let rest = name;
  while (rest.length > 100) {
    const slash = rest.indexOf("/");
    if (slash === -1) return undefined;
    prefix += prefix ? `/${rest.slice(0, slash)}` : rest.slice(0, slash);
    rest = rest.slice(slash + 1);
  }
  return prefix.length > 155 ? undefined : { prefix, name: rest };
}

function checksum(buf: Buffer, offset: number): number {
  // The checksum field itself counts as eight spaces.
  let sum = 8 * 0x20;
  for (let i = offset; i < offset + 148; i++) sum += buf[i]!;
  for (let i = offset + 156; i < offset + BLOCK; i++) sum += buf[i]!;
  return sum;
}

/** One 512-byte header block at `offset` (a name already split to fit). */
function writeBlock(buf: Buffer, offset: number, h: TarHeader, typeflag: number, split: { prefix: string; name: string }, linkname: string | undefined): void {
  buf.fill(0, offset, offset + BLOCK);
  buf.write(split.name, offset, "utf8");
  octal(buf, offset + 100, h.mode & 0o7777, 6);
  octal(buf, offset + 108, h.uid, 6);
  octal(buf, offset + 116, h.gid, 6);
  octal(buf, offset + 124, h.size, 11);
  octal(buf, offset + 136, h.mtime, 11);
  buf[offset + 156] = typeflag;
  if (linkname) buf.write(linkname, offset + 157, "utf8");
  buf.write(MAGIC, offset + 257, "latin1");
  octal(buf, offset + 329, 0, 6);
  octal(buf, offset + 337, 0, 6);
  if (split.prefix) buf.write(split.prefix, offset + 345, "latin1");
  octal(buf, offset + 148, checksum(buf, offset), 6);
}

/** A pax record, "<length> <key>=<value>\n", its length counting its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bytes = Buffer.byteLength(body);
  let length = bytes + String(bytes).length;
  if (String(length).length !== String(bytes).length) length = bytes + String(length).length;
  return `${length}${body}`;
}

const padding = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

/**
 * The header of one entry, worked out once: its name split over ustar's fields, or the pax
 * records of a name or link that does not fit; `length` is the bytes writeHeader writes.
 */
export interface HeaderPlan {
  header: TarHeader;
  split?: { prefix: string; name: string };
  pax?: Buffer;
  length: number;
}

export function planHeader(h: TarHeader): HeaderPlan {
  const split = splitName(h.name);
  if (split !== undefined && (h.linkname === undefined || Buffer.byteLength(h.linkname) <= 100)) return { header: h, split, length: BLOCK };
  let text = paxRecord("path", h.name);
  if (h.linkname) text += paxRecord("linkpath", h.linkname);
  const pax = Buffer.from(text, "utf8");
  return { header: h, pax, length: 2 * BLOCK + pax.length + padding(pax.length) };
}

/** Writes the planned header at `offset` (room for plan.length bytes) and returns the bytes written. */
export function writeHeader(buf: Buffer, offset: number, plan: HeaderPlan): number {
  const { header: h, pax } = plan;
  if (!pax) {
    writeBlock(buf, offset, h, TYPEFLAG[h.type], plan.split!, h.linkname);
    return BLOCK;
  }
  const stand = { prefix: "", name: "PaxHeader" };
  const link = h.linkname ? "PaxHeader" : undefined;
  writeBlock(buf, offset, { ...h, size: pax.length }, TYPEFLAG.pax, stand, link);
  pax.copy(buf, offset + BLOCK);
  const padded = pax.length + padding(pax.length);
  buf.fill(0, offset + BLOCK + pax.length, offset + BLOCK + padded);
  writeBlock(buf, offset + BLOCK + padded, h, TYPEFLAG[h.type], stand, link);
  return 2 * BLOCK + padded;
}

/** Zero bytes that follow a body of `size` bytes to the next block boundary. */
export { padding as bodyPadding };
