/**
 * Malformed GGUF files: every one must fail with one Error line naming the
 * file (and the key or tensor), without a crash, a hang or an allocation
 * larger than the file — as test/io/safetensors-malformed.test.ts does for
 * safetensors.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Random } from '../../../src/index.js';
import { canDequantize, type GgufArray, openGguf, readGguf } from '../../../src/io/gguf/index.js';
import { gguf, info, kv, kvU32, str, u32, u64 } from '../../helpers/gguf-bytes.js';

const SMALL = join(process.cwd(), 'test/fixtures/gguf/small.gguf');
const tmp = mkdtempSync(join(tmpdir(), 'edora-ggufbad-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const file = join(tmp, 'bad.gguf');

/** Read the header and every tensor of `file` (the fuzz tests' reader); returns the values read. */
function readAll(path: string): number {
  const r = openGguf(path);
  try {
    let values = 0;
    for (const v of r.gguf.metadata.values()) values += count(v.value);
    for (const t of r.gguf.tensors) {
      values += canDequantize(t.type)
        ? r.readFloat32(t, 0, undefined, { allowNonFinite: true }).length
        : r.readBlocks(t).length;
    }
    return values;
  } finally {
    r.close();
  }
}

function count(v: unknown): number {
  if (typeof v !== 'object' || v === null || !('values' in v)) return 1;
  const a = (v as GgufArray).values;
  return (
    a.length +
    (Array.isArray(a) ? (a as unknown[]).reduce<number>((s, x) => s + count(x) - 1, 0) : 0)
  );
}

function fails(bytes: Uint8Array, pattern: RegExp): void {
  writeFileSync(file, bytes);
  assert.throws(
    () => readAll(file),
    (err: unknown) => {
      assert.ok(err instanceof Error, `not an Error: ${String(err)}`);
      assert.match(err.message, /bad\.gguf/);
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
      return true;
    },
  );
}

const F32 = 0;
const Q4_K = 12;

test('not GGUF: empty, short, wrong magic, versions, byte order, directory', () => {
  fails(new Uint8Array(0), /not a GGUF file \(0 bytes/);
  fails(Buffer.from('GG'), /not a GGUF file \(2 bytes/);
  fails(Buffer.from('{"a":1}    '), /not a GGUF file \(starts with "\{\\"a\\"", expected "GGUF"\)/);
  fails(gguf({ version: 1 }), /GGUF version 1 is not supported/);
  fails(gguf({ version: 4 }), /GGUF version 4 is unknown \(versions 2 and 3 can be read\)/);
  fails(gguf({ version: 0x03000000 }), /big-endian GGUF file/);
  fails(
    Buffer.from('GGUF\x03\x00\x00\x00', 'latin1'),
    /unexpected end of file at byte 8 while reading the tensor count/,
  );
  const d = join(tmp, 'dir.gguf');
  mkdirSync(d, { recursive: true });
  assert.throws(() => readGguf(d), /dir\.gguf: is a directory, expected a GGUF file/);
  assert.throws(() => readGguf(join(tmp, 'none.gguf')), /none\.gguf: cannot open \(ENOENT\)/);
  assert.throws(
    () => readGguf('/dev/zero'),
    /\/dev\/zero: is a character device, expected a GGUF file/,
  );
});

test('absurd counts are refused before any loop or allocation', () => {
  fails(
    gguf({ tensorCount: 2n ** 64n - 1n }),
    /tensor count 18446744073709551615 is more than the \d+-byte file can hold/,
  );
  fails(gguf({ kvCount: 2n ** 63n }), /metadata key count 9223372036854775808 is more than/);
  fails(gguf({ kvCount: 1_000_000 }), /metadata key count 1000000 is more than/);
});

test('metadata: lengths, types, duplicates, UTF-8, booleans, arrays, alignment', () => {
  fails(
    gguf({ kvs: [Buffer.concat([str('k', 2n ** 62n)])] }),
    /metadata key #0 claims 4611686018427387904 bytes but only \d+ are left/,
  );
  fails(gguf({ kvs: [kv('k', 13, u32(0))] }), /key 'k' has unknown value type 13/);
  fails(gguf({ kvs: [kvU32('k', 1), kvU32('k', 2)] }), /key 'k' appears twice/);
  fails(gguf({ kvs: [kvU32('', 1)] }), /metadata key #0 is empty/);
  fails(gguf({ kvs: [kvU32('a\nb', 1), kvU32('a\nb', 1)] }), /key 'a\\nb' appears twice/);
  fails(gguf({ kvs: [kv('k', 8, str(Buffer.from([0xc3, 0x28])))] }), /key 'k' is not valid UTF-8/);
  fails(
    gguf({ kvs: [kv('k', 8, str('x', 2n ** 40n))] }),
    /key 'k' claims 1099511627776 bytes but only/,
  );
  fails(gguf({ kvs: [kv('k', 7, Buffer.from([2]))] }), /key 'k' is a BOOL holding 2, not 0 or 1/);
  fails(
    gguf({ kvs: [kv('k', 9, Buffer.concat([u32(8), u64(2n ** 61n)]))] }),
    /key 'k' claims 2305843009213693952 STRING items, more than the \d+ bytes left/,
  );
  fails(
    gguf({ kvs: [kv('k', 9, Buffer.concat([u32(6), u64(1000)]))] }),
    /key 'k' claims 1000 FLOAT32 items/,
  );
  fails(
    gguf({ kvs: [kv('k', 9, Buffer.concat([u32(77), u64(1)]))] }),
    /the items of key 'k' has unknown value type 77/,
  );
  fails(
    gguf({
      kvs: [kv('k', 9, Buffer.concat([u32(8), u64(2), str('ok'), str(Buffer.from([0xff]))]))],
    }),
    /key 'k'\[1\] is not valid UTF-8/,
  );
  // Arrays of arrays of … : the depth is bounded.
  let nested = Buffer.concat([u32(4), u64(0)]);
  for (let i = 0; i < 5; i++) nested = Buffer.concat([u32(9), u64(1), nested]);
  fails(
    gguf({ kvs: [kv('k', 9, nested)] }),
    /key 'k'\[0\]\[0\]\[0\] nests arrays more than 4 deep/,
  );
  fails(
    gguf({ kvs: [kv('general.alignment', 10, u64(32))] }),
    /key 'general\.alignment' must be a UINT32, got UINT64/,
  );
  fails(
    gguf({ kvs: [kvU32('general.alignment', 0)] }),
    /key 'general\.alignment' is 0, not a power of two/,
  );
  fails(
    gguf({ kvs: [kvU32('general.alignment', 48)] }),
    /key 'general\.alignment' is 48, not a power of two/,
  );
});

test('tensor infos: names, dimensions, types, block rows, sizes', () => {
  const data = Buffer.alloc(32);
  const one = (i: Buffer) => gguf({ infos: [i], data });
  fails(
    gguf({ infos: [info('w', [8], F32, 0), info('w', [8], F32, 32)], data: Buffer.alloc(64) }),
    /tensor 'w' appears twice/,
  );
  fails(one(info('', [8], F32, 0)), /tensor #0 has an empty name/);
  fails(
    one(info('x'.repeat(64), [8], F32, 0)),
    /the name of tensor #0 is 64 bytes, over the 63-byte limit/,
  );
  fails(
    one(info('w', [1, 1, 1, 1, 8], F32, 0)),
    /tensor 'w' has 5 dimensions; at most 4 are allowed/,
  );
  fails(one(Buffer.concat([str('w'), u32(2 ** 31)])), /tensor 'w' has 2147483648 dimensions/);
  fails(one(info('w', [8], 4, 0)), /tensor 'w' has unknown type id 4/);
  fails(one(info('w', [8], 99, 0)), /tensor 'w' has unknown type id 99/);
  fails(
    one(info('w', [100, 2], Q4_K, 0)),
    /tensor 'w': its rows of 100 elements are not whole Q4_K blocks of 256/,
  );
  fails(
    one(info('w', [2n ** 40n, 2n ** 40n], F32, 0)),
    /tensor 'w': F32 dims \[1099511627776, 1099511627776\] need 4835703278458516698824704 bytes, more than the \d+-byte file holds/,
  );
  fails(
    one(info('w', [2n ** 63n, 0], F32, 0)),
    /tensor 'w': dimension 9223372036854775808 in \[9223372036854775808, 0\] is absurd/,
  );
  fails(
    one(info('w', [8], F32, 2n ** 64n - 1n)),
    /tensor 'w': data offset 18446744073709551615 is not a multiple of the alignment 32/,
  );
});

test('tensor data: order, overlap, gaps, end of file, trailing bytes', () => {
  const two = (o1: number, o2: number, bytes: number) =>
    gguf({ infos: [info('a', [8], F32, o1), info('b', [8], F32, o2)], data: Buffer.alloc(bytes) });
  fails(
    two(0, 0, 64),
    /tensor 'b': data offset 0 overlaps the data before it \(expected 32, after tensor 'a'\)/,
  );
  fails(
    two(32, 0, 64),
    /tensor 'a': data offset 32 leaves a gap of 32 bytes \(expected 0, at the start of the data\)/,
  );
  fails(two(0, 64, 96), /tensor 'b': data offset 64 leaves a gap of 32 bytes/);
  fails(
    two(0, 32, 40),
    /tensor 'b': its 32 bytes at file offset \d+ run past the end of the \d+-byte file/,
  );
  fails(two(0, 32, 96), /32 bytes follow the last tensor 'b'/);
  fails(gguf({ data: Buffer.alloc(5) }), /5 bytes follow the header/);
  // The last tensor's padding may be left out.
  writeFileSync(file, gguf({ infos: [info('a', [2], F32, 0)], data: Buffer.alloc(8) }));
  assert.equal(readAll(file), 2);
});

test('a NaN or an infinity in a tensor is an error naming the tensor and the element', () => {
  const data = Buffer.from(new Float32Array([1, 2, 3, Number.NaN, 5, 6]).buffer);
  writeFileSync(file, gguf({ infos: [info('w', [3, 2], F32, 0)], data }));
  const r = openGguf(file);
  try {
    assert.throws(
      () => r.readFloat32('w'),
      /bad\.gguf: tensor 'w' holds NaN at \[1,0\] of shape \[2,3\]; every value must be finite \(dequantised from F32\)/,
    );
    assert.equal(r.readFloat32('w', 0, undefined, { allowNonFinite: true }).length, 6);
  } finally {
    r.close();
  }
  // An infinite f16 scale in a quantised block.
  const q8 = Buffer.alloc(34);
  q8.writeUInt16LE(0x7c00, 0);
  q8[2] = 1;
  writeFileSync(file, gguf({ infos: [info('q', [32], 8, 0)], data: q8 }));
  const q = openGguf(file);
  try {
    assert.throws(
      () => q.readFloat32('q'),
      /bad\.gguf: tensor 'q' holds Infinity at \[0\] of shape \[32\]; every value must be finite \(dequantised from Q8_0\)/,
    );
  } finally {
    q.close();
  }
});

test('a type the reader knows but cannot dequantise is named when read as float32', () => {
  writeFileSync(file, gguf({ infos: [info('w', [256], 21, 0)], data: Buffer.alloc(110) }));
  const r = openGguf(file);
  try {
    assert.throws(
      () => r.readFloat32('w'),
      /bad\.gguf: tensor 'w' has type IQ3_S; only F32, F16, BF16, Q8_0, Q4_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ2_XXS can be read as float32/,
    );
    assert.equal(r.readBlocks('w').length, 110);
  } finally {
    r.close();
  }
});

test('truncation at every length fails cleanly, until only the final padding is missing', () => {
  const full = readFileSync(SMALL);
  const last = readGguf(SMALL).tensors.at(-1)!;
  const end = last.offset + last.byteLength;
  assert.ok(end < full.length, 'small.gguf ends with padding');
  const dataStart = readGguf(SMALL).dataStart;
  // Every length inside the header, where the structure lives; every 8th inside the data.
  for (let n = 0; n < full.length; n += n < dataStart ? 1 : 8) {
    writeFileSync(file, full.subarray(0, n));
    if (n >= end) {
      assert.ok(readAll(file) > 0, `length ${n}`);
      continue;
    }
    assert.throws(
      () => readAll(file),
      (e: unknown) => e instanceof Error && e.message.includes(file) && !e.message.includes('\n'),
      `length ${n}`,
    );
  }
});

test('random byte flips either read (no more values than the file has bytes for) or fail with one line naming the file', () => {
  const full = readFileSync(SMALL);
  const dataStart = readGguf(SMALL).dataStart;
  const rng = new Random(15);
  let failed = 0;
  for (let trial = 0; trial < 800; trial++) {
    const b = Buffer.from(full);
    const flips = 1 + Math.floor(rng.uniform() * 4);
    for (let k = 0; k < flips; k++) {
      // Mostly the header, where the structure lives.
      const pos = Math.floor(rng.uniform() * (rng.uniform() < 0.85 ? dataStart : b.length));
      b[pos] = Math.floor(rng.uniform() * 256);
    }
    writeFileSync(file, b);
    let values: number;
    try {
      values = readAll(file);
    } catch (err) {
      failed++;
      assert.ok(
        err instanceof Error && err.message.includes(file),
        `trial ${trial}: ${String(err)}`,
      );
      assert.ok(!err.message.includes('\n'), `trial ${trial}: one line: ${err.message}`);
      continue;
    }
    // A count, not a time: IQ2_XXS packs the most values per byte (256 in 66).
    assert.ok(values <= 4 * b.length, `trial ${trial}: ${values} values from ${b.length} bytes`);
  }
  assert.ok(failed > 400, `only ${failed} of 800 corrupted files failed`);
});
