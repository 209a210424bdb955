/**
 * Dequantisation of every supported type against the `gguf` Python package's
 * own dequantisers, on random blocks (test/fixtures/gguf/generate.py).
 *
 * Tolerance: none. Every value must equal the reference bit for bit, for all
 * eleven types, not only F16/BF16/Q8_0: the kernels round each float32
 * operation where numpy rounds it, in the same order, so any difference is a
 * bug (a wrong bit position or scale), not rounding noise. (The issue asks for
 * ≤ 1e-6 relative on the quantised types; exact equality implies it.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { canDequantize, DEQUANTIZABLE_TYPES, dequantize } from '../../../src/io/gguf/index.js';
import { ggmlTypeByName } from '../../../src/io/gguf/types.js';
import { firstBitDifference } from '../../helpers/compare.js';

interface Case {
  type: string;
  blocks: number;
  bytes: string;
  values: string;
}

const FIX = join(process.cwd(), 'test/fixtures/gguf');
const cases: Case[] = JSON.parse(readFileSync(join(FIX, 'blocks.json'), 'utf8')).cases;

function floats(b64: string): Float32Array {
  const b = Buffer.from(b64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

test('the fixture covers exactly the supported types', () => {
  assert.deepEqual(cases.map((c) => c.type).sort(), [...DEQUANTIZABLE_TYPES].sort());
});

for (const c of cases) {
  test(`${c.type}: ${c.blocks} random blocks equal gguf.quants.dequantize bit for bit`, () => {
    const bytes = new Uint8Array(Buffer.from(c.bytes, 'base64'));
    const want = floats(c.values);
    const got = dequantize(c.type, bytes);
    assert.equal(firstBitDifference(got, want), null);
    // The same blocks at an odd byte offset and into a given output.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const out = new Float32Array(want.length);
    assert.equal(dequantize(c.type, shifted.subarray(1), out), out);
    assert.equal(firstBitDifference(out, want), null);
  });
}

test('block layouts: type sizes as ggml defines them', () => {
  const sizes = Object.fromEntries(
    DEQUANTIZABLE_TYPES.map((t) => [
      t,
      [ggmlTypeByName(t)!.blockSize, ggmlTypeByName(t)!.typeSize],
    ]),
  );
  assert.deepEqual(sizes, {
    F32: [1, 4],
    F16: [1, 2],
    BF16: [1, 2],
    Q8_0: [32, 34],
    Q4_0: [32, 18],
    Q2_K: [256, 84],
    Q3_K: [256, 110],
    Q4_K: [256, 144],
    Q5_K: [256, 176],
    Q6_K: [256, 210],
    IQ2_XXS: [256, 66],
  });
});

test('dequantize refuses unknown and unsupported types, partial blocks and a wrong output size', () => {
  assert.throws(
    () => dequantize('Q9_9', new Uint8Array(4)),
    /dequantize: unknown GGML type 'Q9_9' \(supported: F32, F16/,
  );
  assert.throws(() => dequantize('toString', new Uint8Array(4)), /unknown GGML type 'toString'/);
  assert.throws(
    () => dequantize('IQ3_S', new Uint8Array(110)),
    /cannot dequantize GGML type 'IQ3_S'/,
  );
  assert.equal(canDequantize('IQ3_S'), false);
  assert.equal(canDequantize('Q4_K'), true);
  assert.throws(
    () => dequantize('Q4_K', new Uint8Array(145), undefined, 'm.gguf: tensor x'),
    /^Error: m\.gguf: tensor x: 145 bytes are not whole Q4_K blocks of 144 bytes$/,
  );
  assert.throws(
    () => dequantize('Q8_0', new Uint8Array(34), new Float32Array(31)),
    /1 Q8_0 blocks hold 32 values, the output has room for 31/,
  );
});
