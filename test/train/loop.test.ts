/**
 * The training loop on a toy task: it learns, it is deterministic, and a run
 * stopped mid-epoch and resumed from its checkpoint ends with exactly the
 * adapter of an uninterrupted run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as E from '../../src/index.js';
import { PeftModel, Random } from '../../src/index.js';
import {
  type ClassifierTask,
  evaluate,
  type LabelledText,
  type TrainOptions,
  train,
} from '../../src/train/loop.js';
import { relErr } from '../helpers/compare.js';
import { TinyModel } from '../peft/tiny-model.js';

const root = mkdtempSync(join(tmpdir(), 'edora-loop-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Texts of 4 "tokens", each a random 8-d vector; the label is which of 3 directions dominates. */
function toyData(n: number, seed: number): LabelledText[] {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => {
    const label = rng.int(3);
    const v = Array.from(
      { length: 32 },
      (_, i) => rng.normal() * 0.5 + (i % 8 === label ? 1.5 : 0),
    );
    return { text: v.map((x) => x.toFixed(4)).join(' '), label };
  });
}

function toyTask(seed: number): ClassifierTask {
  const module = new TinyModel(seed);
  return {
    module,
    numLabels: 3,
    logits: (ex) =>
      E.concat(
        ex.map((e) => module.forward(E.tensor(e.text.split(' ').map(Number), [4, 8]))),
        0,
      ),
  };
}

async function run(
  outputDir: string | undefined,
  stopAt?: number,
  resume = false,
  extra: Partial<TrainOptions> = {},
) {
  const task = toyTask(1);
  const peft = PeftModel.create(task.module, {
    method: 'edora',
    r: 2,
    targetModules: ['query', 'value', 'attention.output.dense', 'output.dense'],
    modulesToSave: ['classifier'],
  });
  let steps = 0;
  const progress: number[] = [];
  const result = await train(
    task,
    peft,
    { train: toyData(96, 2), validation: toyData(48, 3) },
    {
      epochs: 3,
      batchSize: 8,
      gradientAccumulation: 2,
      lr: 3e-2,
      headLr: 3e-2,
      warmupRatio: 0.1,
      seed: 5,
      metric: 'accuracy',
      outputDir,
      resume,
      shouldStop: () => stopAt !== undefined && steps >= stopAt,
      onProgress: (p) => {
        steps++;
        progress.push(p.step);
      },
      ...extra,
    },
  );
  const state = peft.trainableParameters().map(([k, t]) => [k, t.toArray()] as const);
  return { result, state, task, progress };
}

test('the loop learns a toy task and restores the best epoch', async () => {
  const { result, task } = await run(undefined);
  assert.equal(result.steps, 18); // 12 batches / 2 accumulated = 6 steps × 3 epochs
  assert.equal(result.history.length, 3);
  const acc = evaluate(task, toyData(48, 3)).metrics['accuracy']!;
  assert.ok(acc > 0.7, `validation accuracy ${acc}`);
  assert.equal(acc, result.best!.value, 'the best epoch is what the model holds at the end');
});

test('same seed, same metrics and tensors', async () => {
  const a = await run(undefined);
  const b = await run(undefined);
  assert.deepEqual(b.result.history, a.result.history);
  assert.deepEqual(b.state, a.state);
});

test('stopped mid-epoch and resumed: the same adapter as an uninterrupted run', async () => {
  const reference = await run(join(root, 'ref'));
  const dir = join(root, 'resumed');
  const first = await run(dir, 8); // stops after 8 steps: in the middle of epoch 1
  assert.equal(first.result.interrupted, true);
  assert.equal(first.result.steps, 8);
  const second = await run(dir, undefined, true);
  assert.equal(second.result.steps, 18);
  // Only the remaining steps: a run that ignored the checkpoint and started
  // over would end with the same tensors (training is deterministic).
  assert.deepEqual(second.progress, [9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
  assert.deepEqual(second.state, reference.state);
  assert.deepEqual(
    second.result.history.map((h) => h.metrics),
    reference.result.history.map((h) => h.metrics),
  );
});

test('a stop asked for at the end of an epoch comes before its evaluation; resume evaluates', async () => {
  const reference = await run(undefined);
  const dir = join(root, 'epoch-end');
  const first = await run(dir, 6); // 6 steps: the whole first epoch
  assert.equal(first.result.interrupted, true);
  assert.equal(first.result.steps, 6);
  assert.deepEqual(first.result.history, [], 'no evaluation after the stop');
  const second = await run(dir, undefined, true);
  assert.deepEqual(second.progress[0], 7);
  assert.deepEqual(second.state, reference.state);
  assert.deepEqual(
    second.result.history.map((h) => h.metrics),
    reference.result.history.map((h) => h.metrics),
  );
});

test('resume with other settings: refused by name, or accepted with overrideResume and logged', async () => {
  const dir = join(root, 'settings');
  await run(dir, 4);
  await assert.rejects(
    run(dir, undefined, true, { batchSize: 4 }),
    /checkpoint was trained with batch size 8, not 4: resume with the same settings, or pass --override-resume/,
  );
  await assert.rejects(
    run(dir, undefined, true, { gradientAccumulation: 3, lr: 1e-2 }),
    /gradient accumulation 2, not 3; learning rate 0\.03, not 0\.01/,
  );
  await assert.rejects(run(dir, undefined, true, { method: 'lora' }), /method edora, not lora/);
  const records: Record<string, unknown>[] = [];
  const resumed = await run(dir, undefined, true, {
    headLr: 1e-2,
    overrideResume: true,
    onLog: (r) => {
      records.push(r);
    },
  });
  assert.equal(resumed.progress[0], 5);
  assert.deepEqual(records[0], {
    type: 'resume',
    step: 4,
    evaluations: 0,
    overrides: { headLr: { checkpoint: 3e-2, now: 1e-2 } },
  });
});

test('early stopping ends the run after `patience` evaluations without improvement', async () => {
  // A learning rate of 0 never improves on the first evaluation.
  const { result } = await run(undefined, undefined, false, {
    lr: 0,
    headLr: 0,
    epochs: 10,
    earlyStoppingPatience: 2,
  });
  assert.equal(result.history.length, 3);
  assert.equal(result.best!.epoch, 0);
});

test('with clipping off the gradient norm is still logged, and a NaN still stops the run', async () => {
  const norms: number[] = [];
  await run(undefined, undefined, false, {
    maxGradNorm: 0,
    onLog: (r: Record<string, unknown>) => {
      if (r['type'] === 'step') norms.push(r['gradNorm'] as number);
    },
  });
  assert.equal(norms.length, 18);
  assert.ok(
    norms.every((n) => Number.isFinite(n) && n > 0),
    `norms ${norms.slice(0, 3)}`,
  );
  await assert.rejects(
    // A step of 1e38 overflows the weights, and the next gradient with them.
    run(undefined, undefined, false, { maxGradNorm: 0, lr: 1e38, headLr: 1e38 }),
    /train: the gradient norm is (NaN|Infinity) at step \d+/,
  );
});

/**
 * The gradient each optimizer step used, per step, all trainable tensors
 * concatenated: taken when zeroGrad drops it after the step (the loop gives
 * no other view of it).
 */
function recordStepGradients(tensors: readonly E.Tensor[]): () => number[][] {
  const perTensor = tensors.map((t) => {
    const seen: number[][] = [];
    let current: E.Tensor | null = t.grad;
    Object.defineProperty(t, 'grad', {
      get: () => current,
      set: (g: E.Tensor | null) => {
        if (g === null && current !== null) seen.push(current.toArray());
        current = g;
      },
    });
    return seen;
  });
  return () => perTensor[0]!.map((_, s) => perTensor.flatMap((seen) => seen[s]!));
}

test('gradient accumulation: 2 × batch 4 takes the steps of batch 8, a short last group included', async () => {
  // 16 examples: two full groups; 10: a last group of one batch of 2; 14: a last group of 4 + 2.
  for (const n of [16, 10, 14]) {
    const runWith = async (batchSize: number, gradientAccumulation: number) => {
      const task = toyTask(1);
      const peft = PeftModel.create(task.module, {
        method: 'edora',
        r: 2,
        targetModules: ['query', 'value', 'attention.output.dense', 'output.dense'],
        modulesToSave: ['classifier'],
      });
      const trainable = peft.trainableParameters();
      const grads = recordStepGradients(trainable.map(([, t]) => t));
      const losses: number[] = [];
      await train(
        task,
        peft,
        { train: toyData(n, 2), validation: toyData(6, 3) },
        {
          epochs: 1,
          batchSize,
          gradientAccumulation,
          lr: 3e-2,
          maxGradNorm: 0, // the raw gradients are compared
          seed: 5,
          metric: 'accuracy',
          onLog: (r) => {
            if (r['type'] === 'step') losses.push(r['loss'] as number);
          },
        },
      );
      return { grads: grads(), losses, state: trainable.map(([, t]) => t.toArray()) };
    };
    const accumulated = await runWith(4, 2);
    const whole = await runWith(8, 1);
    assert.equal(accumulated.grads.length, Math.ceil(n / 8), `n=${n}: steps`);
    assert.equal(whole.grads.length, accumulated.grads.length);
    whole.grads.forEach((g, s) => {
      const e = relErr(accumulated.grads[s]!, g);
      assert.ok(e < 1e-5, `n=${n} step ${s + 1}: gradient relative error ${e}`);
      const l = Math.abs(accumulated.losses[s]! - whole.losses[s]!);
      assert.ok(
        l < 1e-6 * Math.abs(whole.losses[s]!),
        `n=${n} step ${s + 1}: loss differs by ${l}`,
      );
    });
    const p = relErr(accumulated.state.flat(), whole.state.flat());
    assert.ok(p < 1e-5, `n=${n}: parameters after the run, relative error ${p}`);
  }
});

test('--magnitude-lr: the magnitude vectors train at their own rate (0 leaves them as initialised)', async () => {
  const magnitudes = (state: (readonly [string, number[]])[]) =>
    state.filter(([k]) => k.endsWith('lora_magnitude_vector'));
  const rs = (state: (readonly [string, number[]])[]) =>
    state.filter(([k]) => k.endsWith('lora_R.weight'));
  const initial = PeftModel.create(toyTask(1).module, {
    method: 'edora',
    r: 2,
    targetModules: ['query', 'value', 'attention.output.dense', 'output.dense'],
    modulesToSave: ['classifier'],
  })
    .trainableParameters()
    .map(([k, t]) => [k, t.toArray()] as const);
  assert.ok(magnitudes(initial).length > 0);
  const frozen = await run(undefined, undefined, false, { magnitudeLr: 0 });
  assert.deepEqual(magnitudes(frozen.state), magnitudes(initial));
  assert.notDeepEqual(rs(frozen.state), rs(initial), 'R still trains at lr');
  const same = await run(undefined);
  assert.notDeepEqual(magnitudes(same.state), magnitudes(initial), 'by default m trains at lr');
  const explicit = await run(undefined, undefined, false, { magnitudeLr: 3e-2 });
  assert.deepEqual(explicit.state, same.state, 'magnitudeLr = lr is the default');
});

test('clipPerGroup: the adapter and the head are each clipped to maxGradNorm', async () => {
  const maxNorm = 1e-3;
  const groupNorms = async (clipPerGroup: boolean) => {
    const task = toyTask(1);
    const peft = PeftModel.create(task.module, {
      method: 'edora',
      r: 2,
      targetModules: ['query', 'value', 'attention.output.dense', 'output.dense'],
      modulesToSave: ['classifier'],
    });
    const params = peft.trainableParameters();
    const head = params.filter(([k]) => k.startsWith('classifier.')).map(([, t]) => t);
    const adapter = params.filter(([k]) => !k.startsWith('classifier.')).map(([, t]) => t);
    assert.ok(head.length > 0 && adapter.length > 0);
    const headGrads = recordStepGradients(head);
    const adapterGrads = recordStepGradients(adapter);
    await train(
      task,
      peft,
      { train: toyData(32, 2), validation: toyData(8, 3) },
      {
        epochs: 1,
        batchSize: 8,
        lr: 1e-2,
        seed: 5,
        metric: 'accuracy',
        maxGradNorm: maxNorm,
        clipPerGroup,
      },
    );
    const norm = (g: number[]) => Math.sqrt(g.reduce((s, x) => s + x * x, 0));
    return { head: headGrads().map(norm), adapter: adapterGrads().map(norm) };
  };
  const per = await groupNorms(true);
  assert.equal(per.head.length, 4);
  for (const n of [...per.head, ...per.adapter])
    assert.ok(Math.abs(n - maxNorm) <= 1e-4 * maxNorm, `group norm ${n}, expected ${maxNorm}`);
  // One global clip: the two together are at maxNorm, so each one alone is below it.
  const global = await groupNorms(false);
  global.head.forEach((h, i) => {
    const a = global.adapter[i]!;
    assert.ok(Math.abs(Math.hypot(h, a) - maxNorm) <= 1e-4 * maxNorm);
    assert.ok(h < 0.99 * maxNorm, `head ${h} under one global clip`);
  });
});
