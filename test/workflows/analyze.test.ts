/**
 * analyzeRun on a tiny BERT with hand-made checkpoint series: a LoRA run
 * (ΔW = s·B·A, merged here in float64) and a full fine-tuning run (every
 * weight saved as modules_to_save, the query weights moved here). Each
 * point must be ΔM/ΔD of the weight the test expects the merge to give.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PeftModel, Random } from '../../src/index.js';
import { loadModel } from '../../src/models/load.js';
import { savePeftAdapter } from '../../src/peft/save.js';
import { seriesDir } from '../../src/train/checkpoint-series.js';
import { analyzeRun, defaultLayers } from '../../src/workflows/analyze.js';
import { fullFinetuneModel } from '../../src/workflows/full.js';
import { weightChange } from '../../src/workflows/weight-change.js';
import { writeTinyCheckpoint } from '../helpers/tiny-checkpoint.js';

const root = mkdtempSync(join(tmpdir(), 'edora-analyze-'));
after(() => rmSync(root, { recursive: true, force: true }));
const model = join(root, 'model');
const loraRun = join(root, 'lora');
const fullRun = join(root, 'full');
// Out of lexical order on purpose: step-10 must come after step-2.
const STEPS = [1, 2, 10];
const QUERIES = [0, 1].map((l) => `bert.encoder.layer.${l}.attention.self.query.weight`);
const expected = new Map<string, { dM: number; dD: number }>(); // `${run} ${step} ${layer}`

function values(t: { data: ArrayLike<number>; offset: number; size: number }): Float64Array {
  return Float64Array.from({ length: t.size }, (_, i) => t.data[t.offset + i]!);
}

before(() => {
  writeTinyCheckpoint(model, { modelType: 'bert', seed: 1 });
  const base = new Map(loadModel(model).model.namedParameters());
  const w0 = (layer: string): Float32Array => Float32Array.from(values(base.get(layer)!));
  const rng = new Random(9);
  for (const step of STEPS) {
    // LoRA: B random, growing with the step; merged = W0 + s·B·A (s = alpha/r = 2).
    const pm = PeftModel.create(loadModel(model).model, {
      method: 'lora',
      r: 2,
      alpha: 4,
      targetModules: ['query'],
      seed: 3,
    });
    const params = new Map(pm.trainableParameters());
    for (const layer of QUERIES) {
      const path = layer.slice(0, -'.weight'.length);
      const a = params.get(`${path}.lora_A.weight`)!;
      const b = params.get(`${path}.lora_B.weight`)!;
      for (let i = 0; i < b.size; i++) b.data[b.offset + i] = 0.05 * step * rng.normal();
      const [av, bv, wv] = [values(a), values(b), values(base.get(layer)!)];
      const merged = new Float32Array(32 * 32);
      for (let i = 0; i < 32; i++)
        for (let j = 0; j < 32; j++) {
          let d = 0;
          for (let p = 0; p < 2; p++) d += bv[i * 2 + p]! * av[p * 32 + j]!;
          merged[i * 32 + j] = wv[i * 32 + j]! + 2 * d;
        }
      expected.set(`lora ${step} ${layer}`, weightChange(w0(layer), merged, [32, 32]));
    }
    savePeftAdapter(pm, seriesDir(loraRun, step));

    // Full fine-tuning: the saved copy of each query weight, moved by hand.
    const full = fullFinetuneModel(loadModel(model).model);
    const bert = full.savedModules().get('bert')!;
    for (const layer of QUERIES) {
      const t = bert.get(layer.slice('bert.'.length))!;
      for (let i = 0; i < t.size; i++) t.data[t.offset + i]! *= 1 + 0.01 * step * rng.normal();
      expected.set(
        `full ${step} ${layer}`,
        weightChange(w0(layer), Float32Array.from(values(t)), [32, 32]),
      );
    }
    savePeftAdapter(full, seriesDir(fullRun, step));
  }
});

test('analyzeRun gives ΔM/ΔD of each merged checkpoint, in step order, and per-run statistics', () => {
  const a = analyzeRun(model, [
    { method: 'lora', dir: loraRun },
    { method: 'full', dir: fullRun },
  ]);
  assert.deepEqual(a.layers, QUERIES);
  assert.deepEqual(
    a.runs.map((r) => r.method),
    ['lora', 'full'],
  );
  for (const run of a.runs) {
    assert.deepEqual(
      run.checkpoints.map((c) => c.step),
      STEPS,
    );
    const xs: number[] = [];
    const ys: number[] = [];
    for (const c of run.checkpoints)
      for (const p of c.layers) {
        const want = expected.get(`${run.method} ${c.step} ${p.layer}`)!;
        assert.ok(want.dM > 0 && want.dD > 0);
        const close = (x: number, y: number): boolean => Math.abs(x - y) <= 1e-5 * Math.abs(y);
        assert.ok(
          close(p.dM, want.dM),
          `${run.method} ${c.step} ${p.layer} dM ${p.dM} vs ${want.dM}`,
        );
        assert.ok(
          close(p.dD, want.dD),
          `${run.method} ${c.step} ${p.layer} dD ${p.dD} vs ${want.dD}`,
        );
        xs.push(want.dM);
        ys.push(want.dD);
      }
    // Pearson's r and the slope of the expected points, from their sums.
    const n = xs.length;
    const mx = xs.reduce((s, v) => s + v, 0) / n;
    const my = ys.reduce((s, v) => s + v, 0) / n;
    const sxy = xs.reduce((s, v, i) => s + (v - mx) * (ys[i]! - my), 0);
    const sxx = xs.reduce((s, v) => s + (v - mx) ** 2, 0);
    const syy = ys.reduce((s, v) => s + (v - my) ** 2, 0);
    assert.ok(Math.abs(run.slope - sxy / sxx) <= 1e-4 * Math.abs(sxy / sxx), `${run.method} slope`);
    assert.ok(Math.abs(run.correlation - sxy / Math.sqrt(sxx * syy)) < 1e-4, `${run.method} r`);
  }
});

test('analyzeRun --layers picks other weights by pattern', () => {
  const a = analyzeRun(model, [{ method: 'lora', dir: loraRun }], 'layer\\.1\\..*(query|value)$');
  assert.deepEqual(a.layers, [
    'bert.encoder.layer.1.attention.self.query.weight',
    'bert.encoder.layer.1.attention.self.value.weight',
  ]);
  // LoRA adapted only the queries: the values do not move.
  for (const c of a.runs[0]!.checkpoints) {
    assert.ok(c.layers[0]!.dM > 0);
    assert.ok(Math.abs(c.layers[1]!.dM) < 1e-6 && Math.abs(c.layers[1]!.dD) < 1e-6);
  }
});

test('analyzeRun refuses a run without a kept series, and a pattern that matches nothing', () => {
  assert.throws(
    () => analyzeRun(model, [{ method: 'dora', dir: model }]),
    /no checkpoints\/ directory \(train the run with --out .* --keep-checkpoints\)/,
  );
  assert.throws(
    () => analyzeRun(model, [{ method: 'lora', dir: loraRun }], 'nothing-like-this'),
    /--layers 'nothing-like-this': matches no 2-D weight of/,
  );
  assert.throws(
    () => analyzeRun(model, [{ method: 'lora', dir: loraRun }], '('),
    /--layers '\(': not a valid regular expression/,
  );
});

test("the default layers are the paper's queries; USE-Lite's fused qkv weight", () => {
  assert.equal(defaultLayers(model), 'query');
  assert.equal(defaultLayers('use-lite'), 'qkv');
});
