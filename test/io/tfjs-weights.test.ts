import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { readTfjsModel, tfjsTensor } from '../../src/io/tfjs-weights.js';
import { defaultUseLiteDir } from '../../src/models/use-lite/index.js';

const dir = mkdtempSync(join(tmpdir(), 'edora-tfjs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Two groups; group 0's weights straddle its two shards; an int32 weight; a scalar. */
function writeModel(sub: string, mutate?: (files: Map<string, Buffer>) => void): string {
  const d = join(dir, sub);
  mkdirSync(d, { recursive: true });
  const a = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const b = Int32Array.from([-7, 8, 2147483647]);
  const c = Float32Array.from([0.5]);
  const g0 = Buffer.concat([Buffer.from(a.buffer), Buffer.from(b.buffer)]);
  const files = new Map<string, Buffer>([
    ['g0-1', g0.subarray(0, 10)],
    ['g0-2', g0.subarray(10)],
    ['g1', Buffer.from(c.buffer)],
  ]);
  mutate?.(files);
  for (const [name, buf] of files) writeFileSync(join(d, name), buf);
  const weightsManifest = [
    {
      paths: ['g0-1', 'g0-2'],
      weights: [
        { name: 'a', shape: [2, 3], dtype: 'float32' },
        { name: 'b', shape: [3], dtype: 'int32' },
      ],
    },
    { paths: ['g1'], weights: [{ name: 'c', shape: [], dtype: 'float32' }] },
  ];
  writeFileSync(
    join(d, 'model.json'),
    JSON.stringify({ format: 'graph-model', modelTopology: {}, weightsManifest }),
  );
  return join(d, 'model.json');
}

test('weights are read by name across shard boundaries, float32 and int32', () => {
  const m = readTfjsModel(writeModel('ok'));
  assert.deepEqual([...m.weights.keys()], ['a', 'b', 'c']);
  assert.deepEqual(m.weights.get('b')!.data, Int32Array.from([-7, 8, 2147483647]));
  const a = tfjsTensor(m, 'a', [2, 3]);
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual(a.toArray(), [1, 2, 3, 4, 5, 6]);
  assert.equal(tfjsTensor(m, 'c').item(), 0.5);
  assert.throws(() => tfjsTensor(m, 'a', [3, 2]), /weight 'a' has shape \[2,3\], expected \[3,2\]/);
  assert.throws(() => tfjsTensor(m, 'b'), /weight 'b' is int32, expected float32/);
  assert.throws(() => tfjsTensor(m, 'nope'), /no weight named 'nope'/);
});

test('a missing shard and a size mismatch are named', () => {
  const missing = writeModel('missing', (f) => f.delete('g0-2'));
  assert.throws(
    () => readTfjsModel(missing),
    /shard 'g0-2' of weight group 0 cannot be read .*ENOENT/,
  );
  const short = writeModel('short', (f) => f.set('g1', Buffer.alloc(3)));
  assert.throws(
    () => readTfjsModel(short),
    /weight group 1 needs 4 bytes for its 1 weights, its shards \(g1\) hold 3/,
  );
  assert.throws(
    () => readTfjsModel(join(dir, 'none', 'model.json')),
    /cannot read TF.js model .*ENOENT/,
  );
  const bad = join(dir, 'bad.json');
  writeFileSync(
    bad,
    JSON.stringify({
      weightsManifest: [{ paths: ['x'], weights: [{ name: 'q', shape: [2], dtype: 'uint8' }] }],
    }),
  );
  assert.throws(() => readTfjsModel(bad), /weights\[0\] \('q'\): dtype 'uint8' is not supported/);
});

test("the USE-Lite package's weights equal what TF.js's own decoder reads", async () => {
  await tf.setBackend('cpu');
  const d = defaultUseLiteDir();
  const ours = readTfjsModel(join(d, 'model.json'));
  const json = JSON.parse(readFileSync(join(d, 'model.json'), 'utf8')) as {
    weightsManifest: tf.io.WeightsManifestConfig;
  };
  for (const group of json.weightsManifest) {
    const bytes = Buffer.concat(group.paths.map((p) => readFileSync(join(d, p))));
    const decoded = tf.io.decodeWeights(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
      group.weights,
    );
    for (const spec of group.weights) {
      const w = ours.weights.get(spec.name)!;
      const t = decoded[spec.name]!;
      assert.deepEqual(w.shape, t.shape, spec.name);
      assert.deepEqual(w.data, await t.data(), spec.name);
    }
    tf.dispose(Object.values(decoded));
  }
});

test('weightsManifest paths that leave the model directory are refused, before anything is read', () => {
  const secret = join(dir, 'secret');
  mkdirSync(secret, { recursive: true });
  writeFileSync(join(secret, 'x'), Buffer.from(Float32Array.from([42]).buffer));
  const d = join(dir, 'escape');
  mkdirSync(join(d, 'sub'), { recursive: true });
  writeFileSync(join(d, 'sub', 'ok'), Buffer.from(Float32Array.from([7]).buffer));
  const model = (paths: string[]): string => {
    const path = join(d, 'model.json');
    const weights = [{ name: 'w', shape: [1], dtype: 'float32' }];
    writeFileSync(path, JSON.stringify({ weightsManifest: [{ paths, weights }] }));
    return path;
  };
  // A subdirectory of the model directory is fine (and '..' that stays inside).
  assert.deepEqual([...readTfjsModel(model(['sub/ok'])).weights.get('w')!.data], [7]);
  assert.deepEqual([...readTfjsModel(model(['sub/../sub/ok'])).weights.get('w')!.data], [7]);
  for (const p of ['../secret/x', join(secret, 'x'), 'sub/../../secret/x', '', '.']) {
    assert.throws(
      () => readTfjsModel(model([p])),
      (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.match(
          e.message,
          /escape\/model\.json: weightsManifest\[0\]\.paths\[0\] .* must name a file inside the model directory/,
        );
        return true;
      },
      JSON.stringify(p),
    );
  }
});
