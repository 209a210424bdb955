import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as E from '../../src/index.js';
import { adapterStateDict, loadPeftAdapter, PeftModel, Random } from '../../src/index.js';
import {
  AdamW,
  clipGradNorm,
  decayGroups,
  linearWarmupDecay,
  loadCheckpoint,
  saveCheckpoint,
  type TrainState,
} from '../../src/train/index.js';
import { TinyModel } from '../peft/tiny-model.js';

const root = mkdtempSync(join(tmpdir(), 'edora-ckpt-'));
after(() => rmSync(root, { recursive: true, force: true }));
const TARGETS = ['query', 'value', 'attention.output.dense', 'output.dense'];
const TOTAL = 6;

interface Run {
  model: TinyModel;
  pm: PeftModel<TinyModel>;
  opt: AdamW;
  rng: Random;
}

function fresh(method: 'edora' | 'dora' | 'lora', r = 2): Run {
  const model = new TinyModel(11);
  const pm = PeftModel.create(model, {
    method,
    r,
    alpha: 4,
    targetModules: TARGETS,
    modulesToSave: ['classifier'],
    rInitStd: 0.1,
  });
  const opt = new AdamW(decayGroups(pm.trainableParameters(), 2e-2, 0.01));
  return { model, pm, opt, rng: new Random(5) };
}

/** Optimizer steps [from, to): random batch, cross-entropy, clip, scheduled lr, AdamW. */
function train({ model, opt, rng }: Run, from: number, to: number): void {
  for (let step = from; step < to; step++) {
    const x = E.randn([4, 8], rng);
    const target = Int32Array.of(rng.int(3));
    E.backward(E.crossEntropy(model.forward(x), target));
    clipGradNorm(
      opt.parameters().map(([, t]) => t),
      0.5,
    );
    const mult = linearWarmupDecay(step, TOTAL, 2);
    opt.groups.forEach((g, i) => {
      opt.setLr(i, g.baseLr * mult);
    });
    opt.step();
    opt.zeroGrad();
  }
}

function state(
  run: Run,
  step: number,
  history: unknown[] = [{ epoch: 0, loss: 1.25 }],
): TrainState {
  return {
    step,
    epoch: 0,
    batchInEpoch: step,
    rng: run.rng.getState(),
    bestMetric: 0.5,
    bestStep: 2,
    history,
  };
}

function snapshot(pm: PeftModel): Map<string, Float32Array> {
  return new Map([...adapterStateDict(pm)].map(([k, t]) => [k, Float32Array.from(t.toArray())]));
}

function filesOf(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile()) out.set(join(e.parentPath, e.name), readFileSync(join(e.parentPath, e.name)));
  return out;
}

describe('training checkpoints', () => {
  for (const method of ['edora', 'dora', 'lora'] as const) {
    test(`${method}: save at step 3, load into a fresh model, finish = the uninterrupted run, bit for bit`, () => {
      const whole = fresh(method);
      const initial = snapshot(whole.pm);
      train(whole, 0, TOTAL);
      const first = fresh(method);
      train(first, 0, 3);
      const dir = join(root, `resume-${method}`);
      const saved = state(first, 3);
      saveCheckpoint(dir, first.pm, first.opt, saved);
      train(first, 3, 4); // the original moves on: the checkpoint must not

      const resumed = fresh(method);
      const st = loadCheckpoint(dir, resumed.pm, resumed.opt);
      assert.deepEqual(st, saved);
      resumed.rng.setState(st.rng);
      train(resumed, st.step, TOTAL);
      const want = snapshot(whole.pm);
      assert.deepEqual(snapshot(resumed.pm), want);
      assert.deepEqual(resumed.opt.state(), whole.opt.state());
      // Training did change every trainable tensor (or this test could not fail).
      for (const [name] of whole.pm.trainableParameters()) {
        const key = `base_model.model.${name}`;
        assert.notDeepEqual(want.get(key), initial.get(key), `${key} did not train`);
      }
    });
  }

  test('layout: a loadable PEFT adapter, optimizer.safetensors and state.json', () => {
    const run = fresh('edora');
    train(run, 0, 2);
    const dir = join(root, 'layout');
    saveCheckpoint(dir, run.pm, run.opt, state(run, 2));
    assert.deepEqual(readdirSync(dir).sort(), ['adapter', 'optimizer.safetensors', 'state.json']);
    const x = E.randn([3, 8], new Random(1));
    const loaded = loadPeftAdapter(new TinyModel(11), join(dir, 'adapter'));
    assert.deepEqual(loaded.model.forward(x).toArray(), run.model.forward(x).toArray());
    const json = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    assert.equal(json.format, 'edora-train-checkpoint');
    assert.equal(json.step, 2);
  });

  test('named extra RNG states (dropout generators) round-trip; bad ones are named', () => {
    const run = fresh('lora');
    const dir = join(root, 'rngs');
    const rngs = {
      dropout: new Random(9).getState(),
      shuffle: [1, 0, 0, 4294967295] as E.RandomState,
    };
    saveCheckpoint(dir, run.pm, run.opt, { ...state(run, 0), rngs });
    assert.deepEqual(loadCheckpoint(dir, run.pm, run.opt).rngs, rngs);
    assert.throws(
      () => saveCheckpoint(dir, run.pm, run.opt, { ...state(run, 0), rngs: { a: [0, 0, 0, 0] } }),
      /field 'rngs\.a' must be four 32-bit unsigned integers, not all 0/,
    );
    saveCheckpoint(dir, run.pm, run.opt, state(run, 0));
    assert.equal('rngs' in loadCheckpoint(dir, run.pm, run.opt), false);
  });

  test('the run settings round-trip (a resume compares them); a checkpoint without them loads', () => {
    const run = fresh('edora');
    const dir = join(root, 'settings');
    const settings = {
      method: 'edora',
      batchSize: 8,
      gradientAccumulation: 2,
      lr: 3e-3,
      headLr: 1e-2,
    };
    saveCheckpoint(dir, run.pm, run.opt, { ...state(run, 0), settings });
    const json = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    assert.deepEqual(json.settings, settings);
    assert.deepEqual(loadCheckpoint(dir, run.pm, run.opt).settings, settings);
    assert.throws(
      () =>
        saveCheckpoint(dir, run.pm, run.opt, {
          ...state(run, 0),
          settings: { ...settings, batchSize: 0 },
        }),
      /field 'settings\.batchSize' must be a positive integer, got 0/,
    );
    saveCheckpoint(dir, run.pm, run.opt, state(run, 0));
    assert.equal('settings' in loadCheckpoint(dir, run.pm, run.opt), false);
  });

  test('a checkpoint of another method is refused naming both methods', () => {
    for (const [saved, wanted] of [
      ['edora', 'lora'],
      ['dora', 'lora'],
      ['lora', 'edora'],
    ] as const) {
      const run = fresh(saved);
      const dir = join(root, `method-${saved}-${wanted}`);
      saveCheckpoint(dir, run.pm, run.opt, state(run, 0));
      const other = fresh(wanted);
      const before = snapshot(other.pm);
      assert.throws(
        () => loadCheckpoint(dir, other.pm, other.opt),
        new RegExp(
          `adapter_config\\.json: the checkpoint holds a ${saved} adapter, the model's is ${wanted}`,
        ),
      );
      assert.deepEqual(snapshot(other.pm), before);
    }
  });

  test('replacing a checkpoint: the new one wins, no leftovers', () => {
    const run = fresh('edora');
    const dir = join(root, 'replace');
    train(run, 0, 1);
    saveCheckpoint(dir, run.pm, run.opt, state(run, 1));
    train(run, 1, 2);
    saveCheckpoint(dir, run.pm, run.opt, state(run, 2));
    assert.equal(loadCheckpoint(dir, fresh('edora').pm, fresh('edora').opt).step, 2);
    assert.deepEqual(
      readdirSync(root).filter((n) => n.startsWith('.replace')),
      [],
    );
  });

  test('a failed write leaves the previous checkpoint intact and no temporary directories', () => {
    const run = fresh('edora');
    const dir = join(root, 'atomic');
    train(run, 0, 2);
    saveCheckpoint(dir, run.pm, run.opt, state(run, 2));
    const before = filesOf(dir);
    train(run, 2, 3);
    // The adapter and optimizer files are written before state.json fails to serialise.
    assert.throws(
      () => saveCheckpoint(dir, run.pm, run.opt, state(run, 3, [{ loss: 1n }])),
      /BigInt/,
    );
    assert.throws(
      () => saveCheckpoint(dir, run.pm, run.opt, { ...state(run, 3), step: -1 }),
      /field 'step' must be an integer ≥ 0, got -1/,
    );
    assert.deepEqual(filesOf(dir), before);
    assert.deepEqual(
      readdirSync(root).filter((n) => n.startsWith('.atomic')),
      [],
    );
  });

  test('a crash between the renames is recovered; stale temporary directories are cleared', () => {
    const run = fresh('edora');
    const dir = join(root, 'crash');
    train(run, 0, 2);
    saveCheckpoint(dir, run.pm, run.opt, state(run, 2));
    // What SIGKILL can leave: the old checkpoint moved aside, a half-written new one.
    const deadPid = 4194305; // above Linux's pid_max
    renameSync(dir, join(root, `.crash.old-${deadPid}-abc`));
    mkdirSync(join(root, `.crash.tmp-${deadPid}-def`, 'adapter'), { recursive: true });
    const back = fresh('edora');
    assert.equal(loadCheckpoint(dir, back.pm, back.opt).step, 2);
    assert.deepEqual(snapshot(back.pm), snapshot(run.pm));
    saveCheckpoint(dir, back.pm, back.opt, state(back, 2));
    assert.deepEqual(
      readdirSync(root).filter((n) => n.startsWith('.crash')),
      [],
    );
  });

  test('a checkpoint that does not fit is refused before anything changes', () => {
    const run = fresh('edora');
    train(run, 0, 2);
    const dir = join(root, 'mismatch');
    saveCheckpoint(dir, run.pm, run.opt, state(run, 2));

    const other = fresh('edora', 3);
    const before = snapshot(other.pm);
    assert.throws(
      () => loadCheckpoint(dir, other.pm, other.opt),
      /adapter_config\.json: field 'r' is 2, the model's adapter has 3/,
    );
    assert.deepEqual(snapshot(other.pm), before);

    // Same adapter, but an optimizer over only part of the parameters.
    const part = fresh('edora');
    const params = part.pm.trainableParameters().filter(([n]) => !n.startsWith('classifier'));
    const opt = new AdamW([{ params, lr: 1e-2 }]);
    const partBefore = snapshot(part.pm);
    assert.throws(
      () => loadCheckpoint(dir, part.pm, opt),
      /optimizer\.safetensors: .*(matches no parameter|learning rates)/,
    );
    assert.deepEqual(snapshot(part.pm), partBefore);

    assert.throws(
      () => loadCheckpoint(join(root, 'nowhere'), run.pm, run.opt),
      /no state\.json \(not an edora training checkpoint\)/,
    );
  });
});
