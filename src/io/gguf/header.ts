/**
 * The GGUF header (format versions 2 and 3, little-endian): the magic
 * "GGUF", the version, the tensor and key counts, the metadata key–value
 * pairs, the tensor infos, then padding to `general.alignment` (32 by
 * default) where the tensor data begins.
 *
 * Validation is as hard as the safetensors reader's, and follows ggml's own
 * reader (gguf.cpp) where the format leaves room: every count and length is
 * checked against the bytes left in the file before anything is allocated,
 * keys and tensor names are unique, value and tensor types are known, each
 * tensor has at most 4 dimensions and whole blocks per row, and the tensors'
 * data follow one another in order, each padded to the alignment, with no
 * overlap, no gap and nothing after the last. Every refusal is one line
 * naming the file and the key or tensor at fault.
 */
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { fileKind } from '../input-file.js';
import { FileCursor } from './cursor.js';
import { GGUF_VALUE_BYTES, GGUF_VALUE_TYPES, type GgufValueType, ggmlTypeById } from './types.js';

/** A metadata array: typed arrays for numbers, plain arrays otherwise. */
export interface GgufArray {
  itemType: GgufValueType;
  values:
    | Uint8Array
    | Int8Array
    | Uint16Array
    | Int16Array
    | Uint32Array
    | Int32Array
    | Float32Array
    | Float64Array
    | BigUint64Array
    | BigInt64Array
    | boolean[]
    | string[]
    | GgufArray[];
}

/** One metadata value; UINT64 and INT64 are bigints, the other numbers are numbers. */
export interface GgufMetadataValue {
  type: GgufValueType;
  value: number | bigint | boolean | string | GgufArray;
}

export interface GgufTensorInfo {
  name: string;
  /** ggml type name, e.g. 'Q4_K'. */
  type: string;
  typeId: number;
  /** ggml order: dims[0] is the innermost (contiguous) dimension, the row length. */
  dims: number[];
  /** Row-major order as numpy and PyTorch see it: dims reversed. */
  shape: number[];
  /** Element count. */
  size: number;
  /** Absolute file position of the tensor's first byte. */
  offset: number;
  byteLength: number;
  blockSize: number;
  /** Bytes per block. */
  typeSize: number;
}

export interface GgufFile {
  path: string;
  version: number;
  alignment: number;
  /** In file order. */
  metadata: Map<string, GgufMetadataValue>;
  /** In file order, which is also data order. */
  tensors: GgufTensorInfo[];
  /** File position where the tensor data begin. */
  dataStart: number;
  fileSize: number;
}

const MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
const DEFAULT_ALIGNMENT = 32;
/** ggml's GGML_MAX_DIMS. */
const MAX_DIMS = 4;
/** ggml's GGML_MAX_NAME: a tensor name takes fewer bytes than this. */
const MAX_NAME_BYTES = 64;
/** Longest key and longest string value accepted (real files: < 100 bytes, < 100 kB). */
const MAX_KEY_BYTES = 65_536;
const MAX_STRING_BYTES = 16 << 20;
/** Arrays of arrays nest at most this deep (ggml itself refuses any nesting). */
const MAX_ARRAY_DEPTH = 4;
/** Smallest possible encodings, to bound counts by the bytes left. */
const MIN_KV_BYTES = 8 + 1 + 4 + 1;
const MIN_TENSOR_INFO_BYTES = 8 + 1 + 4 + 4 + 8;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A name from the file as it may appear in a one-line message. */
export function shown(s: string): string {
  const q = JSON.stringify(s).slice(1, -1);
  return q.length > 120 ? `${q.slice(0, 120)}…` : q;
}

function readString(c: FileCursor, max: number, what: string): string {
  const len = c.u64(`the length of ${what}`);
  if (len > BigInt(c.remaining())) {
    throw new Error(
      `${c.file}: ${what} claims ${len} bytes but only ${c.remaining()} are left in the file`,
    );
  }
  if (len > BigInt(max))
    throw new Error(`${c.file}: ${what} is ${len} bytes, over the ${max}-byte limit`);
  const raw = c.bytes(Number(len), what);
  try {
    return utf8.decode(raw);
  } catch {
    throw new Error(`${c.file}: ${what} is not valid UTF-8`);
  }
}

function valueType(c: FileCursor, what: string): GgufValueType {
  const id = c.u32(`the type of ${what}`);
  const t = GGUF_VALUE_TYPES[id];
  if (t === undefined) {
    throw new Error(
      `${c.file}: ${what} has unknown value type ${id} (known: 0–12, ${GGUF_VALUE_TYPES.join(', ')})`,
    );
  }
  return t;
}

function readScalar(c: FileCursor, type: GgufValueType, what: string): number | bigint | boolean {
  const v = c.dataView(GGUF_VALUE_BYTES[type]!, what);
  switch (type) {
    case 'UINT8':
      return v.getUint8(0);
    case 'INT8':
      return v.getInt8(0);
    case 'UINT16':
      return v.getUint16(0, true);
    case 'INT16':
      return v.getInt16(0, true);
    case 'UINT32':
      return v.getUint32(0, true);
    case 'INT32':
      return v.getInt32(0, true);
    case 'FLOAT32':
      return v.getFloat32(0, true);
    case 'UINT64':
      return v.getBigUint64(0, true);
    case 'INT64':
      return v.getBigInt64(0, true);
    case 'FLOAT64':
      return v.getFloat64(0, true);
    default: {
      const b = v.getUint8(0);
      if (b > 1) throw new Error(`${c.file}: ${what} is a BOOL holding ${b}, not 0 or 1`);
      return b === 1;
    }
  }
}

const TYPED: Partial<
  Record<GgufValueType, (b: ArrayBuffer, n: number) => Exclude<GgufArray['values'], unknown[]>>
> = {
  UINT8: (b, n) => new Uint8Array(b, 0, n),
  INT8: (b, n) => new Int8Array(b, 0, n),
  UINT16: (b, n) => new Uint16Array(b, 0, n),
  INT16: (b, n) => new Int16Array(b, 0, n),
  UINT32: (b, n) => new Uint32Array(b, 0, n),
  INT32: (b, n) => new Int32Array(b, 0, n),
  FLOAT32: (b, n) => new Float32Array(b, 0, n),
  FLOAT64: (b, n) => new Float64Array(b, 0, n),
  UINT64: (b, n) => new BigUint64Array(b, 0, n),
  INT64: (b, n) => new BigInt64Array(b, 0, n),
};

function readArray(c: FileCursor, what: string, depth: number): GgufArray {
  const itemType = valueType(c, `the items of ${what}`);
  const count = c.u64(`the length of ${what}`);
  const itemBytes = GGUF_VALUE_BYTES[itemType] ?? (itemType === 'STRING' ? 8 : 4 + 8);
  if (count * BigInt(itemBytes) > BigInt(c.remaining())) {
    throw new Error(
      `${c.file}: ${what} claims ${count} ${itemType} items, more than the ${c.remaining()} bytes left in the file can hold`,
    );
  }
  const n = Number(count);
  const make = TYPED[itemType];
  if (make) {
    // A copy starts at offset 0 of its own buffer, so it is aligned for any typed array.
    const raw = c.bytes(n * itemBytes, what);
    return { itemType, values: make(raw.buffer as ArrayBuffer, n) };
  }
  if (itemType === 'BOOL') {
    const values: boolean[] = [];
    for (let i = 0; i < n; i++) values.push(readScalar(c, 'BOOL', `${what}[${i}]`) as boolean);
    return { itemType, values };
  }
  if (itemType === 'STRING') {
    const values: string[] = [];
    for (let i = 0; i < n; i++) values.push(readString(c, MAX_STRING_BYTES, `${what}[${i}]`));
    return { itemType, values };
  }
  if (depth >= MAX_ARRAY_DEPTH) {
    throw new Error(`${c.file}: ${what} nests arrays more than ${MAX_ARRAY_DEPTH} deep`);
  }
  const values: GgufArray[] = [];
  for (let i = 0; i < n; i++) values.push(readArray(c, `${what}[${i}]`, depth + 1));
  return { itemType, values };
}

function readValue(c: FileCursor, type: GgufValueType, what: string): GgufMetadataValue {
  if (type === 'STRING') return { type, value: readString(c, MAX_STRING_BYTES, what) };
  if (type === 'ARRAY') return { type, value: readArray(c, what, 1) };
  return { type, value: readScalar(c, type, what) };
}

function readPreamble(c: FileCursor): { version: number; tensorCount: number; kvCount: number } {
  if (c.fileSize < 4) {
    throw new Error(
      `${c.file}: not a GGUF file (${c.fileSize} bytes; the magic "GGUF" is missing)`,
    );
  }
  const magic = c.u32('the magic');
  if (magic !== MAGIC) {
    const text = JSON.stringify(Buffer.from(new Uint32Array([magic]).buffer).toString('latin1'));
    throw new Error(`${c.file}: not a GGUF file (starts with ${text}, expected "GGUF")`);
  }
  const version = c.u32('the version');
  if (version !== 0 && (version & 0xffff) === 0) {
    throw new Error(`${c.file}: big-endian GGUF file; only little-endian files can be read`);
  }
  if (version === 1) {
    throw new Error(`${c.file}: GGUF version 1 is not supported (convert the file to version 3)`);
  }
  if (version !== 2 && version !== 3) {
    throw new Error(`${c.file}: GGUF version ${version} is unknown (versions 2 and 3 can be read)`);
  }
  const tensors = c.u64('the tensor count');
  const kvs = c.u64('the metadata key count');
  if (tensors * BigInt(MIN_TENSOR_INFO_BYTES) > BigInt(c.remaining())) {
    throw new Error(
      `${c.file}: tensor count ${tensors} is more than the ${c.fileSize}-byte file can hold`,
    );
  }
  if (kvs * BigInt(MIN_KV_BYTES) > BigInt(c.remaining())) {
    throw new Error(
      `${c.file}: metadata key count ${kvs} is more than the ${c.fileSize}-byte file can hold`,
    );
  }
  return { version, tensorCount: Number(tensors), kvCount: Number(kvs) };
}

function readMetadata(c: FileCursor, count: number): Map<string, GgufMetadataValue> {
  const metadata = new Map<string, GgufMetadataValue>();
  for (let i = 0; i < count; i++) {
    const key = readString(c, MAX_KEY_BYTES, `metadata key #${i}`);
    const where = `key '${shown(key)}'`;
    if (key.length === 0) throw new Error(`${c.file}: metadata key #${i} is empty`);
    if (metadata.has(key)) throw new Error(`${c.file}: ${where} appears twice`);
    metadata.set(key, readValue(c, valueType(c, where), where));
  }
  return metadata;
}

function alignmentOf(file: string, metadata: Map<string, GgufMetadataValue>): number {
  const a = metadata.get('general.alignment');
  if (a === undefined) return DEFAULT_ALIGNMENT;
  if (a.type !== 'UINT32') {
    throw new Error(`${file}: key 'general.alignment' must be a UINT32, got ${a.type}`);
  }
  const n = a.value as number;
  if (n === 0 || (n & (n - 1)) !== 0) {
    throw new Error(`${file}: key 'general.alignment' is ${n}, not a power of two`);
  }
  return n;
}

interface RawTensorInfo {
  name: string;
  dims: bigint[];
  typeId: number;
  offset: bigint;
}

function readTensorInfo(c: FileCursor, index: number, names: Set<string>): RawTensorInfo {
  const name = readString(c, MAX_NAME_BYTES - 1, `the name of tensor #${index}`);
  const where = `tensor '${shown(name)}'`;
  if (name.length === 0) throw new Error(`${c.file}: tensor #${index} has an empty name`);
  if (names.has(name)) throw new Error(`${c.file}: ${where} appears twice`);
  names.add(name);
  const nDims = c.u32(`the dimension count of ${where}`);
  if (nDims > MAX_DIMS) {
    throw new Error(`${c.file}: ${where} has ${nDims} dimensions; at most ${MAX_DIMS} are allowed`);
  }
  const dims: bigint[] = [];
  for (let d = 0; d < nDims; d++) dims.push(c.u64(`dimension ${d} of ${where}`));
  const typeId = c.u32(`the type of ${where}`);
  const offset = c.u64(`the data offset of ${where}`);
  return { name, dims, typeId, offset };
}

function padded(n: bigint, alignment: bigint): bigint {
  return ((n + alignment - 1n) / alignment) * alignment;
}

/**
 * Check one tensor's type, shape and place: it must start at `expected`
 * (relative to the data start) and end inside the file.
 */
function checkTensor(
  file: string,
  raw: RawTensorInfo,
  expected: bigint,
  previous: string | null,
  alignment: bigint,
  dataStart: number,
  fileSize: number,
): GgufTensorInfo {
  const where = `${file}: tensor '${shown(raw.name)}'`;
  const type = ggmlTypeById(raw.typeId);
  if (!type) throw new Error(`${where} has unknown type id ${raw.typeId}`);
  const rowLength = raw.dims[0] ?? 1n;
  if (rowLength % BigInt(type.blockSize) !== 0n) {
    throw new Error(
      `${where}: its rows of ${rowLength} elements are not whole ${type.name} blocks of ${type.blockSize}`,
    );
  }
  const size = raw.dims.reduce((a, b) => a * b, 1n);
  const bytes = (size / BigInt(type.blockSize)) * BigInt(type.typeSize);
  const dimsText = `[${raw.dims.join(', ')}]`;
  const huge = raw.dims.find((d) => d > BigInt(Number.MAX_SAFE_INTEGER));
  if (huge !== undefined) throw new Error(`${where}: dimension ${huge} in ${dimsText} is absurd`);
  if (bytes > BigInt(fileSize)) {
    throw new Error(
      `${where}: ${type.name} dims ${dimsText} need ${bytes} bytes, more than the ${fileSize}-byte file holds`,
    );
  }
  if (raw.offset % alignment !== 0n) {
    throw new Error(
      `${where}: data offset ${raw.offset} is not a multiple of the alignment ${alignment}`,
    );
  }
  if (raw.offset !== expected) {
    const after =
      previous === null ? 'at the start of the data' : `after tensor '${shown(previous)}'`;
    throw new Error(
      raw.offset < expected
        ? `${where}: data offset ${raw.offset} overlaps the data before it (expected ${expected}, ${after})`
        : `${where}: data offset ${raw.offset} leaves a gap of ${raw.offset - expected} bytes (expected ${expected}, ${after})`,
    );
  }
  const begin = BigInt(dataStart) + raw.offset;
  if (begin + bytes > BigInt(fileSize)) {
    throw new Error(
      `${where}: its ${bytes} bytes at file offset ${begin} run past the end of the ${fileSize}-byte file`,
    );
  }
  const dims = raw.dims.map(Number);
  return {
    name: raw.name,
    type: type.name,
    typeId: type.id,
    dims,
    shape: [...dims].reverse(),
    size: Number(size),
    offset: Number(begin),
    byteLength: Number(bytes),
    blockSize: type.blockSize,
    typeSize: type.typeSize,
  };
}

/** Parse and validate the header of an open GGUF file. */
export function readGgufHeaderFd(fd: number, path: string): GgufFile {
  const fileSize = fstatSync(fd).size;
  const c = new FileCursor(fd, path, fileSize);
  const { version, tensorCount, kvCount } = readPreamble(c);
  const metadata = readMetadata(c, kvCount);
  const alignment = alignmentOf(path, metadata);
  const names = new Set<string>();
  const raws: RawTensorInfo[] = [];
  for (let i = 0; i < tensorCount; i++) raws.push(readTensorInfo(c, i, names));
  const align = BigInt(alignment);
  const dataStart = Number(padded(BigInt(c.pos), align));
  const tensors: GgufTensorInfo[] = [];
  let expected = 0n;
  let previous: string | null = null;
  for (const raw of raws) {
    const t = checkTensor(path, raw, expected, previous, align, dataStart, fileSize);
    tensors.push(t);
    expected = padded(raw.offset + BigInt(t.byteLength), align);
    previous = t.name;
  }
  // The padding after the last tensor may be left out, but nothing may follow it.
  const end = BigInt(dataStart) + expected;
  if (BigInt(fileSize) > end) {
    throw new Error(
      `${path}: ${BigInt(fileSize) - end} bytes follow the ${previous === null ? 'header' : `last tensor '${shown(previous)}'`}`,
    );
  }
  return { path, version, alignment, metadata, tensors, dataStart, fileSize };
}

/**
 * Open a GGUF file for reading. It must be a regular file: a directory opens
 * on Linux and fails only at the first read, a device never ends, and a pipe
 * cannot be read at random positions.
 */
export function openGgufFd(path: string): number {
  let fd: number;
  try {
    // O_NONBLOCK: opening a pipe without a writer would otherwise wait forever.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${path}: cannot open (${code ?? (err as Error).message})`);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new Error(`${path}: is ${fileKind(st)}, expected a GGUF file`);
  }
  return fd;
}

/** Parse and validate the header of the GGUF file at `path` (the tensor data are not read). */
export function readGguf(path: string): GgufFile {
  const fd = openGgufFd(path);
  try {
    return readGgufHeaderFd(fd, path);
  } finally {
    closeSync(fd);
  }
}
