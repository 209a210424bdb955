/**
 * Hand-built GGUF bytes for the malformed-file tests: each piece of the format
 * as its own small encoder, so that a test can write any count, length or
 * type, right or wrong. (Well-formed files come from the `gguf` package's
 * own writer: test/fixtures/gguf/small.gguf.)
 */

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}

export function u64(n: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n), 0);
  return b;
}

/** A GGUF string: uint64 byte length, then the bytes (UTF-8 unless given raw). */
export function str(s: string | Buffer, len?: number | bigint): Buffer {
  const bytes = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  return Buffer.concat([u64(len ?? bytes.length), bytes]);
}

/** One metadata pair: the key, the value type id, the encoded value. */
export function kv(key: string, typeId: number, value: Buffer): Buffer {
  return Buffer.concat([str(key), u32(typeId), value]);
}

export const kvU32 = (key: string, v: number): Buffer => kv(key, 4, u32(v));

/** One tensor info: name, dims (ggml order), type id, data offset. */
export function info(
  name: string,
  dims: (number | bigint)[],
  typeId: number,
  offset: number | bigint,
): Buffer {
  return Buffer.concat([
    str(name),
    u32(dims.length),
    ...dims.map((d) => u64(d)),
    u32(typeId),
    u64(offset),
  ]);
}

export interface GgufParts {
  version?: number;
  tensorCount?: number | bigint;
  kvCount?: number | bigint;
  kvs?: Buffer[];
  infos?: Buffer[];
  /** Padding before the data (default: up to the next multiple of 32). */
  alignment?: number;
  data?: Buffer;
}

export function gguf(p: GgufParts = {}): Buffer {
  const kvs = p.kvs ?? [];
  const infos = p.infos ?? [];
  const head = Buffer.concat([
    Buffer.from('GGUF', 'latin1'),
    u32(p.version ?? 3),
    u64(p.tensorCount ?? infos.length),
    u64(p.kvCount ?? kvs.length),
    ...kvs,
    ...infos,
  ]);
  const align = p.alignment ?? 32;
  const pad = Buffer.alloc((align - (head.length % align)) % align);
  return Buffer.concat([head, pad, p.data ?? Buffer.alloc(0)]);
}
