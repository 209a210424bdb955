/**
 * The safetensors header: an 8-byte little-endian length, then that many bytes
 * of UTF-8 JSON mapping tensor names to {dtype, shape, data_offsets}, with an
 * optional `__metadata__` string→string map. Offsets are relative to the data
 * region that follows the header.
 *
 * Validation follows the reference implementation (huggingface/safetensors):
 * the header is at most 100 MB and starts with '{', every dtype is known, the
 * byte count of each entry equals bytes(dtype) × product(shape), and the
 * entries, sorted by offset, tile the data region exactly (no overlap, no gap,
 * nothing left over). A file that passes here reads without surprises.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { jsonErrorText } from './json-file.js';

/** The reference implementation's cap on the header size. */
export const MAX_HEADER_BYTES = 100_000_000;

/** Bytes per element of every dtype the format defines. */
export const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Element count (product of shape). */
  size: number;
  /** Absolute file positions of the tensor's bytes. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** In file order (by offset). */
  entries: SafetensorsEntry[];
  metadata: Record<string, string> | null;
  /** File position where the data region starts (8 + header length). */
  dataStart: number;
  fileSize: number;
}

/** Read exactly `length` bytes at `position` into `dest` (a view of any typed array's bytes). */
export function readExactly(
  fd: number,
  dest: Uint8Array,
  position: number,
  file: string,
  what: string,
): void {
  let done = 0;
  while (done < dest.length) {
    const n = readSync(fd, dest, done, dest.length - done, position + done);
    if (n === 0) {
      throw new Error(
        `${file}: unexpected end of file while reading ${what} (${done} of ${dest.length} bytes)`,
      );
    }
    done += n;
  }
}

/** Parse and validate the header of an open safetensors file. */
export function readHeaderFd(fd: number, file: string): SafetensorsHeader {
  const fileSize = fstatSync(fd).size;
  if (fileSize < 8) {
    throw new Error(
      `${file}: not a safetensors file (${fileSize} bytes; the 8-byte header length is missing)`,
    );
  }
  const lenBytes = new Uint8Array(8);
  readExactly(fd, lenBytes, 0, file, 'the header length');
  const len = new DataView(lenBytes.buffer).getBigUint64(0, true);
  if (len > BigInt(MAX_HEADER_BYTES)) {
    throw new Error(
      `${file}: header length ${len} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`,
    );
  }
  const headerLen = Number(len);
  if (headerLen + 8 > fileSize) {
    throw new Error(
      `${file}: header length ${headerLen} runs past the end of the ${fileSize}-byte file`,
    );
  }
  if (headerLen < 2)
    throw new Error(`${file}: header length ${headerLen} is too short for a JSON object`);
  const raw = new Uint8Array(headerLen);
  readExactly(fd, raw, 8, file, 'the header');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw);
  } catch {
    throw new Error(`${file}: header is not valid UTF-8`);
  }
  if (!text.startsWith('{'))
    throw new Error(`${file}: header does not start with '{' (not a safetensors file?)`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: header is not valid JSON (${jsonErrorText(err)})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error(`${file}: header must be a JSON object`);
  }
  const dataStart = 8 + headerLen;
  const dataLen = fileSize - dataStart;
  let metadata: Record<string, string> | null = null;
  const entries: SafetensorsEntry[] = [];
  for (const [name, info] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(info, file);
      continue;
    }
    entries.push(parseEntry(name, info, file, dataStart, dataLen));
  }
  // Sorted by offset, the entries must tile [0, dataLen) exactly.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = dataStart;
  let prev: SafetensorsEntry | null = null;
  for (const e of sorted) {
    if (e.begin < pos) {
      throw new Error(`${file}: tensor '${e.name}' data_offsets overlap those of '${prev?.name}'`);
    }
    if (e.begin > pos) {
      throw new Error(
        `${file}: tensor '${e.name}' data_offsets leave a gap of ${e.begin - pos} bytes before it`,
      );
    }
    pos = e.end;
    prev = e;
  }
  if (pos !== fileSize) {
    throw new Error(
      `${file}: the tensors cover ${pos - dataStart} bytes of data but the file holds ${dataLen}`,
    );
  }
  return { entries: sorted, metadata, dataStart, fileSize };
}

/**
 * Open a safetensors file for reading. Errors name the file: on Linux a
 * directory opens fine and only the first read fails, with a bare EISDIR.
 */
export function openSafetensors(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new Error(
      `${path}: cannot open (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  if (fstatSync(fd).isDirectory()) {
    closeSync(fd);
    throw new Error(`${path}: is a directory, expected a safetensors file`);
  }
  return fd;
}

/** Parse and validate the header of the safetensors file at `path`. */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  const fd = openSafetensors(path);
  try {
    return readHeaderFd(fd, path);
  } finally {
    closeSync(fd);
  }
}

function parseMetadata(info: unknown, file: string): Record<string, string> {
  if (info === null || typeof info !== 'object' || Array.isArray(info)) {
    throw new Error(`${file}: __metadata__ must be an object of strings`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
    if (typeof v !== 'string')
      throw new Error(`${file}: __metadata__ field '${k}' must be a string, got ${typeof v}`);
    out[k] = v;
  }
  return out;
}

function parseEntry(
  name: string,
  info: unknown,
  file: string,
  dataStart: number,
  dataLen: number,
): SafetensorsEntry {
  const where = `${file}: tensor '${name}'`;
  if (info === null || typeof info !== 'object' || Array.isArray(info)) {
    throw new Error(`${where}: entry must be an object with dtype, shape and data_offsets`);
  }
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string') throw new Error(`${where}: dtype must be a string`);
  const width = DTYPE_BYTES[dtype];
  if (width === undefined || !Object.hasOwn(DTYPE_BYTES, dtype))
    throw new Error(`${where}: unknown dtype '${dtype}'`);
  if (!Array.isArray(shape))
    throw new Error(`${where}: shape must be an array of non-negative integers`);
  let size = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new Error(`${where}: shape ${JSON.stringify(shape)} must hold non-negative integers`);
    }
    // Stop multiplying once the product cannot fit the file: avoids overflow,
    // and a zero dimension still makes the product 0 below.
    size = size > dataLen ? size : size * d;
  }
  if (shape.includes(0)) size = 0;
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
  ) {
    throw new Error(`${where}: data_offsets must be [begin, end] with non-negative integers`);
  }
  const [b, e] = offsets as [number, number];
  if (b > e) throw new Error(`${where}: data_offsets [${b}, ${e}] have begin after end`);
  if (e > dataLen) {
    throw new Error(`${where}: data_offsets [${b}, ${e}] run past the ${dataLen}-byte data region`);
  }
  if (size > dataLen || size * width !== e - b) {
    throw new Error(
      `${where}: ${dtype} shape [${shape.join(',')}] needs ${size > dataLen ? 'more than the file holds' : `${size * width} bytes`}, data_offsets [${b}, ${e}] hold ${e - b}`,
    );
  }
  return { name, dtype, shape: shape as number[], size, begin: dataStart + b, end: dataStart + e };
}
