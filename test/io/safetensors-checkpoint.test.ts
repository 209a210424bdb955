/** Checkpoint directories: a single model.safetensors or shards listed in an index. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { tensor } from '../../src/index.js';
import { loadCheckpointTensors, writeSafetensors } from '../../src/io/safetensors.js';

const FIX = join(process.cwd(), 'test/fixtures/safetensors');
const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as {
  sharded: Record<string, { shape: number[]; f32_bits: number[] }>;
};
const tmp = mkdtempSync(join(tmpdir(), 'edora-ckpt-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function shardedCopy(name: string): string {
  const d = join(tmp, name);
  mkdirSync(d);
  for (const f of [
    'model-00001-of-00002.safetensors',
    'model-00002-of-00002.safetensors',
    'model.safetensors.index.json',
  ]) {
    copyFileSync(join(FIX, 'sharded', f), join(d, f));
  }
  return d;
}

function setWeightMap(dir: string, map: Record<string, string>): void {
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: map }));
}

test('sharded checkpoint: every tensor from its shard, converted like torch', () => {
  const t = loadCheckpointTensors(join(FIX, 'sharded'));
  assert.deepEqual([...t.keys()].sort(), Object.keys(expected.sharded).sort());
  for (const [k, e] of Object.entries(expected.sharded)) {
    const got = t.get(k)!;
    assert.deepEqual([...got.shape], e.shape);
    assert.deepEqual([...new Uint32Array(Float32Array.from(got.toArray()).buffer)], e.f32_bits, k);
  }
});

test('single model.safetensors is preferred', () => {
  const d = join(tmp, 'single');
  mkdirSync(d);
  writeSafetensors(join(d, 'model.safetensors'), { a: tensor([1, 2]) });
  assert.deepEqual(loadCheckpointTensors(d).get('a')?.toArray(), [1, 2]);
});

test('errors: no weights, missing shard, tensor in two shards, listed but absent, bad index', () => {
  const empty = join(tmp, 'empty');
  mkdirSync(empty);
  assert.throws(
    () => loadCheckpointTensors(empty),
    /empty: no model\.safetensors or model\.safetensors\.index\.json/,
  );

  const d1 = shardedCopy('missing');
  rmSync(join(d1, 'model-00002-of-00002.safetensors'));
  assert.throws(
    () => loadCheckpointTensors(d1),
    /index\.json: shard 'model-00002-of-00002\.safetensors' is missing/,
  );

  const d2 = shardedCopy('twice');
  copyFileSync(join(d2, 'model-00001-of-00002.safetensors'), join(d2, 'copy.safetensors'));
  setWeightMap(d2, {
    'layer.0.weight': 'model-00001-of-00002.safetensors',
    'layer.0.bias': 'copy.safetensors',
  });
  assert.throws(
    () => loadCheckpointTensors(d2),
    /tensor 'layer\.0\.(weight|bias)' appears in both/,
  );

  const d3 = shardedCopy('absent');
  setWeightMap(d3, { 'layer.9.weight': 'model-00001-of-00002.safetensors' });
  assert.throws(
    () => loadCheckpointTensors(d3),
    /tensor 'layer\.9\.weight' is listed in shard 'model-00001-of-00002\.safetensors' but that file does not hold it/,
  );

  const d4 = shardedCopy('escape');
  setWeightMap(d4, { 'layer.0.weight': '../x.safetensors' });
  assert.throws(
    () => loadCheckpointTensors(d4),
    /weight_map entry 'layer\.0\.weight' must name a shard file in the same directory/,
  );

  const d5 = shardedCopy('badjson');
  writeFileSync(join(d5, 'model.safetensors.index.json'), '{"weight_map": ');
  assert.throws(() => loadCheckpointTensors(d5), /index\.json: not valid JSON/);
  writeFileSync(join(d5, 'model.safetensors.index.json'), '{}');
  assert.throws(() => loadCheckpointTensors(d5), /weight_map must be an object/);
});
