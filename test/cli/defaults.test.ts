/**
 * The effective defaults of `edora train` and `edora bench`: what a command
 * line with no settings hands the library. The expected values are written
 * out (they are the documented defaults), so moving the defaults to another
 * home cannot change them unnoticed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchSettings } from '../../src/cli/commands/bench.js';
import { finetuneOptions, type TrainCliOptions } from '../../src/cli/commands/train.js';
import { benchFinetuneOptions } from '../../src/workflows/bench.js';
import { type FinetuneMethod, trainOptionsFor } from '../../src/workflows/finetune.js';
import { parsedOptions } from '../helpers/cli-options.js';

/** What the training loop gets from `edora train <argv>`, without its callbacks. */
async function trainOptions(argv: string[] = []): Promise<Record<string, unknown>> {
  const opts = await parsedOptions<TrainCliOptions>(['train', ...argv]);
  const options: Record<string, unknown> = {
    ...trainOptionsFor(finetuneOptions(opts, opts.method as FinetuneMethod), 'accuracy'),
  };
  delete options['onNotice'];
  delete options['metric'];
  delete options['headModules'];
  return options;
}

const TRAIN_DEFAULTS = {
  model: 'use-lite',
  method: 'edora',
  r: 8,
  alpha: 16,
  targetModules: undefined,
  epochs: 3,
  maxSteps: undefined,
  batchSize: 16,
  gradientAccumulation: 1,
  lr: 5e-3,
  headLr: undefined,
  weightDecay: 0.01,
  warmupRatio: 0.06,
  maxGradNorm: 0,
  seed: 42,
  outputDir: undefined,
  resume: false,
  overrideResume: false,
  checkpointEvery: undefined,
  keepCheckpoints: false,
  earlyStoppingPatience: undefined,
};

test('edora train: the defaults it hands finetune', async () => {
  const options = await trainOptions();
  assert.deepEqual(options, TRAIN_DEFAULTS);
});

test('edora train: the per-method defaults (learning rate and clipping)', async () => {
  const expected: Record<string, { lr: number; maxGradNorm: number }> = {
    edora: { lr: 5e-3, maxGradNorm: 0 },
    'lora-xs': { lr: 5e-3, maxGradNorm: 0 },
    lora: { lr: 5e-3, maxGradNorm: 1 },
    dora: { lr: 5e-3, maxGradNorm: 1 },
    probe: { lr: 5e-3, maxGradNorm: 1 },
    full: { lr: 1e-4, maxGradNorm: 1 },
  };
  for (const [method, want] of Object.entries(expected)) {
    const options = await trainOptions(['--method', method]);
    assert.equal(options['lr'], want.lr, method);
    assert.equal(options['maxGradNorm'], want.maxGradNorm, method);
  }
});

test('edora bench: its default settings, and what each run hands finetune', async () => {
  const { tasks, methods, maxTrain, maxEval, settings } = benchSettings(
    await parsedOptions(['bench']),
  );
  assert.deepEqual(tasks, ['spam', 'genre', 'era']);
  assert.deepEqual(methods, ['edora', 'dora', 'lora', 'probe']);
  assert.equal(maxTrain, 600);
  assert.equal(maxEval, 300);
  assert.deepEqual(settings, {
    r: 8,
    alpha: 16,
    epochs: 2,
    probeEpochs: 20,
    batchSize: 16,
    seed: 42,
    lr: { lora: 2e-3, dora: 2e-3, 'lora-xs': 1e-2, edora: 1e-2, full: 1e-4, probe: 1e-1 },
    maxGradNorm: { probe: 1, lora: 1, dora: 1, 'lora-xs': 0, edora: 0, full: 1 },
    headLr: 5e-2,
  });
  const run = (method: FinetuneMethod) => {
    const options: Record<string, unknown> = {
      ...benchFinetuneOptions({
        method,
        r: settings.r,
        alpha: settings.alpha,
        epochs: settings.epochs,
        probeEpochs: settings.probeEpochs,
        batchSize: settings.batchSize,
        lr: (settings.lr as Record<string, number>)[method]!,
        headLr: settings.headLr,
        maxGradNorm: (settings.maxGradNorm as Record<string, number>)[method]!,
        seed: settings.seed,
      }),
    };
    delete options['onProgress'];
    return options;
  };
  assert.deepEqual(run('edora'), {
    model: 'use-lite',
    method: 'edora',
    r: 8,
    alpha: 16,
    epochs: 2,
    batchSize: 16,
    lr: 1e-2,
    headLr: 5e-2,
    warmupRatio: 0.06,
    maxGradNorm: 0,
    seed: 42,
    earlyStoppingPatience: undefined,
    shouldStop: undefined,
  });
  const probe = run('probe');
  assert.equal(probe['epochs'], 20);
  assert.equal(probe['headLr'], 1e-1);
});
