/**
 * NaN and infinities never cross the file boundary: the safetensors and
 * TF.js writers refuse them before writing anything, the TF.js reader
 * refuses them on load (the safetensors reader: safetensors-malformed.test).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { tensor } from '../../src/index.js';
import { writeSafetensors } from '../../src/io/safetensors.js';
import { readTfjsModel, writeTfjsModel } from '../../src/io/tfjs-weights.js';

const dir = mkdtempSync(join(tmpdir(), 'edora-finite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('writeSafetensors refuses a non-finite value, naming the tensor; no file, no temporary left', () => {
  const out = join(dir, 'w.safetensors');
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    assert.throws(
      () => writeSafetensors(out, { ok: tensor([1, 2]), bad: tensor([0, 1, bad, 3], [2, 2]) }),
      new RegExp(`w\\.safetensors: tensor 'bad' holds ${bad} at \\[1,0\\] of shape \\[2,2\\]`),
    );
  }
  assert.equal(existsSync(out), false);
  assert.deepEqual(readdirSync(dir), []);
});

test('TF.js weights: a non-finite float32 weight is refused on read and on write', () => {
  const d = join(dir, 'tfjs');
  mkdirSync(d);
  const values = Float32Array.from([1, Number.NaN, 3]);
  writeFileSync(join(d, 'g'), Buffer.from(values.buffer));
  const json = {
    modelTopology: {},
    weightsManifest: [{ paths: ['g'], weights: [{ name: 'w', shape: [3], dtype: 'float32' }] }],
  };
  writeFileSync(join(d, 'model.json'), JSON.stringify(json));
  assert.throws(
    () => readTfjsModel(join(d, 'model.json')),
    /model\.json: tensor 'w' holds NaN at \[1\] of shape \[3\]/,
  );
  const out = join(dir, 'tfjs-out');
  mkdirSync(out);
  const weights = new Map([
    ['w', { name: 'w', shape: [3], dtype: 'float32' as const, data: values }],
  ]);
  assert.throws(() => writeTfjsModel(out, json, weights), /tensor 'w' holds NaN at \[1\]/);
  assert.deepEqual(readdirSync(out), []);
});
