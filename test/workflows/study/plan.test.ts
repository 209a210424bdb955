/**
 * A run's key (JSON of its RunSpec) is what makes a study resumable. The
 * fields added for σ(R), the magnitude's rate and per-group clipping must
 * leave the key of a run at today's settings as it was (else a study would
 * redo its finished runs), and must change it when they are set.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runKey, runSpec, type StudySettings } from '../../../src/workflows/study/plan.js';

const settings: StudySettings = {
  tasks: ['era'],
  methods: ['edora', 'dora', 'lora', 'lora-xs'],
  seeds: [1, 2],
  selectSeeds: 1,
  ranks: [8],
  lrGrid: { edora: [1e-2], dora: [2e-3], lora: [2e-3], 'lora-xs': [1e-2] },
  headLrGrid: { edora: [5e-2], dora: [5e-2], lora: [5e-2], 'lora-xs': [5e-2] },
  maxGradNorm: { edora: 0, dora: 1, lora: 1, 'lora-xs': 0 },
  budget: {
    epochs: 5,
    probeEpochs: 20,
    batchSize: 16,
    alpha: 16,
    maxTrain: 600,
    maxEval: 300,
    earlyStopping: 2,
  },
};
const edora = { task: 'era', method: 'edora' as const, r: 8 };
const dora = { task: 'era', method: 'dora' as const, r: 8 };
const lora = { task: 'era', method: 'lora' as const, r: 8 };

test("a run at today's settings keeps today's key", () => {
  // The key a study started before the new fields wrote for this run, field by field.
  const today = JSON.stringify({
    task: 'era',
    method: 'edora',
    r: 8,
    lr: 1e-2,
    headLr: 5e-2,
    seed: 2,
    epochs: 5,
    batchSize: 16,
    alpha: 16,
    maxTrain: 600,
    maxEval: 300,
    maxGradNorm: 0,
    earlyStopping: 2,
  });
  const point = { lr: 1e-2, headLr: 5e-2 };
  assert.equal(runKey(runSpec(settings, edora, point, 2)), today);
  // The new settings at their defaults, or where they cannot apply, leave it too.
  const atDefaults: StudySettings = {
    ...settings,
    rInitStd: 1e-5,
    magnitudeLr: 1e-2,
    clipPerGroup: true, // EDoRA is not clipped here: nothing to clip per group
  };
  assert.equal(runKey(runSpec(atDefaults, edora, point, 2)), today);
  const loraKey = runKey(runSpec(settings, lora, { lr: 2e-3, headLr: 5e-2 }, 1));
  assert.equal(
    runKey(
      runSpec(
        { ...settings, rInitStd: 1e-3, magnitudeLr: 1e-3 },
        lora,
        { lr: 2e-3, headLr: 5e-2 },
        1,
      ),
    ),
    loraKey,
    'LoRA has neither R nor a magnitude',
  );
});

test('σ(R), the magnitude rate and per-group clipping are in the key when set', () => {
  const point = { lr: 1e-2, headLr: 5e-2 };
  const base = runSpec(settings, edora, point, 1);
  const sigma = runSpec({ ...settings, rInitStd: 1e-3 }, edora, point, 1);
  assert.deepEqual(sigma, { ...base, rInitStd: 1e-3 });
  const magnitude = runSpec({ ...settings, magnitudeLr: 1e-3 }, edora, point, 1);
  assert.deepEqual(magnitude, { ...base, magnitudeLr: 1e-3 });
  const clipped = runSpec(
    { ...settings, maxGradNorm: { ...settings.maxGradNorm, edora: 1 }, clipPerGroup: true },
    edora,
    point,
    1,
  );
  assert.deepEqual(clipped, { ...base, maxGradNorm: 1, clipPerGroup: true });
  const keys = [base, sigma, magnitude, clipped].map(runKey);
  assert.equal(new Set(keys).size, 4);
  // DoRA has a magnitude but no R.
  const d = runSpec(
    { ...settings, rInitStd: 1e-3, magnitudeLr: 1e-3 },
    dora,
    { lr: 2e-3, headLr: 5e-2 },
    1,
  );
  assert.equal(d.magnitudeLr, 1e-3);
  assert.equal(d.rInitStd, undefined);
});
