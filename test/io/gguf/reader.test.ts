/**
 * The GGUF reader on small.gguf, written by the `gguf` package's own
 * GGUFWriter (test/fixtures/gguf/generate.py): every metadata value type,
 * arrays (nested too), a custom alignment, and tensors of several types.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type GgufArray, openGguf, readGguf } from '../../../src/io/gguf/index.js';

const FIX = join(process.cwd(), 'test/fixtures/gguf');
const SMALL = join(FIX, 'small.gguf');
const expected = JSON.parse(readFileSync(join(FIX, 'small.json'), 'utf8'));

function floats(b64: string): Float32Array {
  const b = Buffer.from(b64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

test('header: version, alignment, data start', () => {
  const g = readGguf(SMALL);
  assert.equal(g.version, 3);
  assert.equal(g.alignment, 64);
  assert.equal(g.dataStart, expected.dataStart);
  assert.equal(g.dataStart % 64, 0);
  assert.equal(g.fileSize, readFileSync(SMALL).length);
});

test('metadata: every value type, with its type name', () => {
  const m = readGguf(SMALL).metadata;
  const plain = (k: string) => [m.get(k)?.type, m.get(k)?.value];
  assert.deepEqual(plain('general.architecture'), ['STRING', 'test']);
  assert.deepEqual(plain('general.alignment'), ['UINT32', 64]);
  assert.deepEqual(plain('t.u8'), ['UINT8', 200]);
  assert.deepEqual(plain('t.i8'), ['INT8', -100]);
  assert.deepEqual(plain('t.u16'), ['UINT16', 60000]);
  assert.deepEqual(plain('t.i16'), ['INT16', -30000]);
  assert.deepEqual(plain('t.u32'), ['UINT32', 4000000000]);
  assert.deepEqual(plain('t.i32'), ['INT32', -2000000000]);
  assert.deepEqual(plain('t.f32'), ['FLOAT32', Math.fround(0.1)]);
  assert.deepEqual(plain('t.bool'), ['BOOL', true]);
  assert.deepEqual(plain('t.str'), ['STRING', 'héllo\nwörld']);
  assert.deepEqual(plain('t.u64'), ['UINT64', 18446744073709551615n]);
  assert.deepEqual(plain('t.i64'), ['INT64', -9223372036854775808n]);
  assert.deepEqual(plain('t.f64'), ['FLOAT64', 0.1]);
  const arr = (k: string) => m.get(k)?.value as GgufArray;
  assert.deepEqual(arr('t.arr.i32'), { itemType: 'INT32', values: new Int32Array([1, -2, 3]) });
  assert.deepEqual(arr('t.arr.f32'), {
    itemType: 'FLOAT32',
    values: new Float32Array([0.5, -1.25]),
  });
  assert.deepEqual(arr('t.arr.str'), { itemType: 'STRING', values: ['a', '', 'ü'] });
  assert.deepEqual(arr('t.arr.bool'), { itemType: 'BOOL', values: [true, false] });
  assert.deepEqual(arr('t.arr.nested'), {
    itemType: 'ARRAY',
    values: [
      { itemType: 'STRING', values: ['x', 'y'] },
      { itemType: 'STRING', values: ['z'] },
    ],
  });
});

test('tensors: names, types, dims, shapes and offsets as the gguf package reads them', () => {
  const g = readGguf(SMALL);
  const byName = (a: unknown[][]) => a.sort((x, y) => String(x[0]).localeCompare(String(y[0])));
  assert.deepEqual(
    byName(g.tensors.map((t) => [t.name, t.type, t.dims, t.offset])),
    byName(
      Object.entries(expected.tensors).map(([name, t]) => {
        const e = t as { type: string; dims: number[]; offset: number };
        return [name, e.type, e.dims, e.offset];
      }),
    ),
  );
  const a = g.tensors[0]!;
  assert.deepEqual(a.shape, [2, 3]);
  assert.equal(a.size, 6);
  assert.equal(a.byteLength, 24);
});

test('tensor data: float32 values equal the gguf package, raw blocks equal the file', () => {
  const r = openGguf(SMALL);
  try {
    for (const [name, e] of Object.entries(expected.tensors) as [
      string,
      Record<string, string>,
    ][]) {
      if (e.values) assert.deepEqual(r.readFloat32(name), floats(e.values), name);
      else assert.deepEqual(Buffer.from(r.readBlocks(name)), Buffer.from(e.raw!, 'base64'), name);
    }
    // A block range, and the same values as a Tensor of the row-major shape.
    const all = r.readFloat32('b.q8');
    assert.deepEqual(r.readFloat32('b.q8', 2, 3), all.subarray(64, 160));
    const t = r.readTensor('b.q8');
    assert.deepEqual(t.shape, [3, 64]);
    assert.equal(t.name, 'b.q8');
    assert.deepEqual(t.toArray(), Array.from(all));
    assert.throws(
      () => r.readBlocks('b.q8', 5, 2),
      /small\.gguf: tensor 'b\.q8' has 6 blocks; blocks \[5, 7\) do not exist/,
    );
    assert.throws(() => r.readFloat32('nope'), /small\.gguf: no tensor 'nope'/);
  } finally {
    r.close();
  }
  assert.throws(() => r.readBlocks('a'), /small\.gguf: the GGUF reader is closed/);
});
