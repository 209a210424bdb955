/**
 * The real TinyLlama-1.1B-Chat GGUF (IQ2_XXS, Q2_K, Q4_K, Q5_K and F32
 * tensors) against the `gguf` package (test/fixtures/gguf/tinyllama.json,
 * written by generate.py): the metadata and the tensor table as
 * gguf.GGUFReader reads them, and every tensor's first and last blocks as
 * gguf.quants.dequantize decodes them, bit for bit. Skipped, with a message,
 * when the model has not been fetched (`npm run fetch:tinyllama`).
 *
 * EDORA_GGUF_FULL=1 also checks every value of every tensor (1.1 billion;
 * tens of seconds).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type GgufArray, type GgufReader, openGguf } from '../../../src/io/gguf/index.js';
import { firstBitDifference } from '../../helpers/compare.js';
import { skipWithoutTinyllama, tinyllamaPath } from '../../helpers/tinyllama.js';

interface TensorRef {
  name: string;
  type: string;
  dims: number[];
  offset: number;
  bytes: number;
  edgeBlocks: number;
  headSha256: string;
  tailSha256: string;
  sha256: string;
  head?: string;
  tail?: string;
}

interface MetaRef {
  type: string;
  value?: unknown;
  itemType?: string;
  length?: number;
  sha256?: string;
}

const ref = JSON.parse(
  readFileSync(join(process.cwd(), 'test/fixtures/gguf/tinyllama.json'), 'utf8'),
) as {
  dataStart: number;
  alignment: number;
  version: number;
  metadata: Record<string, MetaRef>;
  tensors: TensorRef[];
};

const skip = skipWithoutTinyllama();
let reader: GgufReader | null = null;
const open = (): GgufReader => {
  reader ??= openGguf(tinyllamaPath());
  return reader;
};
after(() => reader?.close());

const sha = (a: Float32Array) =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');

function floats(b64: string): Float32Array {
  const b = Buffer.from(b64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

/** An array as the GGUF file stores it: strings with their uint64 length, numbers as raw bytes. */
function arrayBytes(a: GgufArray): Buffer {
  if (a.itemType === 'STRING') {
    return Buffer.concat(
      (a.values as string[]).flatMap((s) => {
        const b = Buffer.from(s, 'utf8');
        const len = Buffer.alloc(8);
        len.writeBigUInt64LE(BigInt(b.length));
        return [len, b];
      }),
    );
  }
  const v = a.values as Float32Array;
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

test('TinyLlama: header and metadata equal gguf.GGUFReader', { skip }, () => {
  const g = open().gguf;
  assert.equal(g.version, ref.version);
  assert.equal(g.alignment, ref.alignment);
  assert.equal(g.dataStart, ref.dataStart);
  assert.deepEqual([...g.metadata.keys()], Object.keys(ref.metadata));
  for (const [key, want] of Object.entries(ref.metadata)) {
    const got = g.metadata.get(key)!;
    assert.equal(got.type, want.type, key);
    if (want.type === 'ARRAY') {
      const a = got.value as GgufArray;
      assert.equal(a.itemType, want.itemType, key);
      assert.equal(a.values.length, want.length, key);
      assert.equal(createHash('sha256').update(arrayBytes(a)).digest('hex'), want.sha256, key);
    } else if (want.type === 'UINT64' || want.type === 'INT64') {
      assert.equal(String(got.value), want.value, key);
    } else {
      assert.equal(got.value, want.value, key);
    }
  }
  // What the Llama model will read from here (the description of TinyLlama).
  const u32 = (k: string) => g.metadata.get(k)?.value;
  assert.deepEqual(
    [u32('llama.block_count'), u32('llama.embedding_length'), u32('llama.feed_forward_length')],
    [22, 2048, 5632],
  );
  assert.deepEqual(
    [u32('llama.attention.head_count'), u32('llama.attention.head_count_kv')],
    [32, 4],
  );
});

test('TinyLlama: the tensor table (names, types, dims, offsets, sizes) equals gguf.GGUFReader', {
  skip,
}, () => {
  const g = open().gguf;
  assert.deepEqual(
    g.tensors.map((t) => [t.name, t.type, t.dims, t.offset, t.byteLength]),
    ref.tensors.map((t) => [t.name, t.type, t.dims, t.offset, t.bytes]),
  );
  const types = new Set(g.tensors.map((t) => t.type));
  assert.deepEqual([...types].sort(), ['F32', 'IQ2_XXS', 'Q2_K', 'Q4_K', 'Q5_K']);
});

test("TinyLlama: every tensor's first and last blocks equal gguf.quants.dequantize bit for bit", {
  skip,
}, () => {
  const r = open();
  let withValues = 0;
  for (const t of ref.tensors) {
    const blocks = t.bytes / r.tensorInfo(t.name).typeSize;
    const head = r.readFloat32(t.name, 0, t.edgeBlocks);
    const tail = r.readFloat32(t.name, blocks - t.edgeBlocks, t.edgeBlocks);
    if (t.head && t.tail) {
      withValues++;
      assert.equal(firstBitDifference(head, floats(t.head)), null, `${t.name} (${t.type}) head`);
      assert.equal(firstBitDifference(tail, floats(t.tail)), null, `${t.name} (${t.type}) tail`);
    }
    assert.equal(sha(head), t.headSha256, `${t.name} (${t.type}) head`);
    assert.equal(sha(tail), t.tailSha256, `${t.name} (${t.type}) tail`);
  }
  // Two tensors of each type with their values in the fixture (Q5_K has only one: output.weight).
  assert.equal(withValues, 9);
});

test('TinyLlama: every value of every tensor equals gguf.quants.dequantize (EDORA_GGUF_FULL=1)', {
  skip:
    skip ||
    (process.env.EDORA_GGUF_FULL !== '1' && 'set EDORA_GGUF_FULL=1 to dequantise the whole model'),
}, () => {
  const r = open();
  for (const t of ref.tensors)
    assert.equal(sha(r.readFloat32(t.name)), t.sha256, `${t.name} (${t.type})`);
});
