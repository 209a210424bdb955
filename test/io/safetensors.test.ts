/**
 * safetensors reader and writer against files written by an independent
 * Python implementation of the format (test/fixtures/safetensors/make_reference.py),
 * with expected values from torch's own dtype conversions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Random, randn, Tensor, tensor, transpose } from '../../src/index.js';
import {
  readSafetensors,
  readSafetensorsHeader,
  writeSafetensors,
} from '../../src/io/safetensors.js';

const FIX = join(process.cwd(), 'test/fixtures/safetensors');
interface FloatExpect {
  shape: number[];
  f32_bits: number[];
}
interface IntExpect {
  dtype: 'I64' | 'I32';
  shape: number[];
  ints: string[];
}
const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as {
  mixed: Record<string, FloatExpect | IntExpect>;
  metadata: Record<string, string>;
  f32_reference: Record<string, FloatExpect>;
};

const tmp = mkdtempSync(join(tmpdir(), 'edora-st-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function bits(t: Tensor): number[] {
  return [...new Uint32Array(Float32Array.from(t.toArray()).buffer)];
}

function fromBits(e: FloatExpect): Tensor {
  return new Tensor(new Float32Array(Uint32Array.from(e.f32_bits).buffer), e.shape);
}

for (const file of ['mixed.safetensors', 'mixed-unpadded.safetensors']) {
  test(`reads ${file} exactly as torch converts it (F32, F16, BF16, F64, I64, I32)`, () => {
    // The reference holds NaN and infinities on purpose: read them as they are.
    const { tensors, integers, metadata } = readSafetensors(join(FIX, file), {
      allowNonFinite: true,
    });
    assert.deepEqual(metadata, file === 'mixed.safetensors' ? expected.metadata : null);
    const names = [...tensors.keys(), ...integers.keys()].sort();
    assert.deepEqual(names, Object.keys(expected.mixed).sort());
    for (const [name, e] of Object.entries(expected.mixed)) {
      if ('ints' in e) {
        const got = integers.get(name);
        assert.ok(got, name);
        assert.equal(got.dtype, e.dtype);
        assert.deepEqual(got.shape, e.shape);
        assert.deepEqual([...got.data].map(String), e.ints, name);
      } else {
        const got = tensors.get(name);
        assert.ok(got, name);
        assert.deepEqual([...got.shape], e.shape, name);
        assert.deepEqual(bits(got), e.f32_bits, name);
      }
    }
  });
}

test('filter reads only the selected tensors', () => {
  const { tensors, integers } = readSafetensors(join(FIX, 'mixed.safetensors'), {
    allowNonFinite: true,
    filter: (n) => n.startsWith('bf16.'),
  });
  assert.deepEqual([...tensors.keys()].sort(), ['bf16.random', 'bf16.special']);
  assert.equal(integers.size, 0);
});

test('the writer reproduces the reference file byte for byte', () => {
  const ts = new Map(Object.entries(expected.f32_reference).map(([k, e]) => [k, fromBits(e)]));
  const out = join(tmp, 'ref.safetensors');
  writeSafetensors(out, ts, { format: 'pt' });
  assert.deepEqual(readFileSync(out), readFileSync(join(FIX, 'f32-reference.safetensors')));
});

test('round trip: views, float64, odd names, metadata; no temporary file left', () => {
  const rng = new Random(5);
  const m = randn([3, 4], rng);
  const ts: Record<string, Tensor> = {
    '10': randn([2], rng),
    '2': tensor([1.5], []),
    'é.ü': randn([1, 2, 3], rng),
    transposed: transpose(m),
    f64: tensor([0.1, 1e-50, -3], [3], { dtype: 'float64' }),
    empty: tensor([], [0, 4]),
  };
  const out = join(tmp, 'round.safetensors');
  writeSafetensors(out, ts, { b: '2', a: 'x"y' });
  const header = readFileSync(out);
  const len = Number(header.readBigUInt64LE(0));
  assert.equal(len % 8, 0, 'header padded to 8 bytes');
  const back = readSafetensors(out);
  assert.deepEqual(back.metadata, { a: 'x"y', b: '2' });
  for (const [k, t] of Object.entries(ts)) {
    const got = back.tensors.get(k);
    assert.ok(got, k);
    assert.deepEqual([...got.shape], [...t.shape]);
    assert.deepEqual(got.toArray(), [...Float32Array.from(t.toArray())], k);
  }
  assert.deepEqual(
    readSafetensorsHeader(out).entries.map((e) => e.name),
    ['10', '2', 'empty', 'f64', 'transposed', 'é.ü'],
  );
  assert.deepEqual(
    readdirSync(tmp).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

test('a failed write leaves neither the target nor a temporary file', () => {
  const out = join(tmp, 'bad.safetensors');
  assert.throws(
    () => writeSafetensors(out, { __metadata__: tensor([1]) }),
    /'__metadata__' cannot name a tensor/,
  );
  assert.throws(
    () => writeSafetensors(join(tmp, 'no-such-dir', 'x.safetensors'), { a: tensor([1]) }),
    /no-such-dir.*cannot write \(ENOENT\)/,
  );
  assert.deepEqual(
    readdirSync(tmp).filter((f) => f.startsWith('.bad') || f === 'bad.safetensors'),
    [],
  );
});

test('unsupported dtypes fail by name unless filtered out; missing file names the path', () => {
  const json =
    '{"flags":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]},"w":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}';
  const p = join(tmp, 'bool.safetensors');
  writeRaw(p, json, new Uint8Array([1, 0, 0, 0, 128, 63]));
  assert.throws(() => readSafetensors(p), /bool\.safetensors: tensor 'flags' has dtype BOOL/);
  assert.deepEqual(
    readSafetensors(p, { filter: (n) => n === 'w' })
      .tensors.get('w')
      ?.toArray(),
    [1],
  );
  assert.throws(
    () => readSafetensors(join(tmp, 'absent.safetensors')),
    /absent\.safetensors: cannot open \(ENOENT\)/,
  );
});

/** A file from a header string (not padded) and data bytes. */
function writeRaw(path: string, json: string, data: Uint8Array): void {
  const h = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length), 0);
  writeFileSync(path, Buffer.concat([len, h, data]));
}
