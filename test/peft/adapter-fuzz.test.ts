/**
 * Fuzzing adapter directories, like safetensors-malformed.test does for the
 * file format: seeded random mutations of adapter_config.json,
 * adapter_model.safetensors and label_map.json, each run through what a user
 * runs (`predict --adapter`, `export`, and now and then `merge`). Every case
 * either works, with finite numbers in everything written, or fails with one
 * Error of one line. A native abort kills the file; a hang trips the timeout.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runPredict } from '../../src/cli/commands/predict.js';
import {
  exportAdapter,
  loadModel,
  mergeModelDir,
  PeftModel,
  Random,
  savePeftAdapter,
} from '../../src/index.js';
import { readSafetensors, readSafetensorsHeader } from '../../src/io/safetensors.js';
import { perturbTrainable } from '../helpers/perturb.js';
import { tempRoot } from '../helpers/temp-dir.js';
import { writeTinyCheckpoint } from '../helpers/tiny-checkpoint.js';

const root = tempRoot('edora-adapter-fuzz-');
const CASES = 300;

const modelDir = join(root, 'model');
const input = join(root, 'input.jsonl');

/** Two adapters with different tensors: EDoRA (A, B, R, m) and DoRA (A, B, m), both with a head. */
function baseAdapters(): string[] {
  writeTinyCheckpoint(modelDir, { modelType: 'bert', seed: 3 });
  writeFileSync(
    input,
    `${['a tiny test', 'another one'].map((text) => JSON.stringify({ text })).join('\n')}\n`,
  );
  return (['edora', 'dora'] as const).map((method, i) => {
    const { model } = loadModel(modelDir);
    const pm = PeftModel.create(model, {
      method,
      r: 2,
      targetModules: ['query', 'value', 'output.dense'],
      modulesToSave: ['classifier'],
      seed: i,
    });
    pm.labels.set('default', ['neg', 'pos']);
    perturbTrainable(pm, 7 + i, 0.1);
    const dir = join(root, `base-${method}`);
    savePeftAdapter(pm, dir);
    return dir;
  });
}

/** Values a hostile config field may take (INF stands for the JSON text 1e999, which parses to Infinity). */
const INF = '__INF__';
const VALUES: unknown[] = [
  0,
  -1,
  1,
  2,
  2.5,
  64,
  1e9,
  1e300,
  -1e300,
  INF,
  '',
  '(',
  '.*',
  '(a+)+',
  'all-linear',
  'query',
  'classifier',
  'pissa',
  'pissa_niter_3',
  'pissa_niter_99999999',
  'gaussian',
  'LORA',
  'EDORA',
  'LORA_XS',
  'SEQ_CLS',
  true,
  false,
  null,
  [],
  ['query'],
  ['value', 'nothing'],
  [0, 1],
  [-1],
  [1e9],
  {},
  { query: 4 },
  { '.*': 1 },
  { method: 'edora', svd_iters: 1e9 },
  { method: 'lora', seed: 1.5 },
];
const FIELDS = [
  'peft_type',
  'task_type',
  'r',
  'lora_alpha',
  'lora_dropout',
  'use_rslora',
  'use_dora',
  'target_modules',
  'exclude_modules',
  'layers_to_transform',
  'layers_pattern',
  'rank_pattern',
  'alpha_pattern',
  'modules_to_save',
  'init_lora_weights',
  'bias',
  'fan_in_fan_out',
  'edora',
  'edora.svd_iters',
  'edora.r_init_std',
  'edora.seed',
  'edora.method',
  'megatron_config',
  'something_new',
];

function pick<T>(rng: Random, list: readonly T[]): T {
  return list[rng.int(list.length)]!;
}

function mutateConfig(rng: Random, text: string): string {
  if (rng.uniform() < 0.2) {
    // Damage the text itself: truncate it or overwrite a few characters.
    const chars = [...text];
    if (rng.uniform() < 0.5) return text.slice(0, rng.int(text.length));
    for (let k = 0; k < 1 + rng.int(3); k++)
      chars[rng.int(chars.length)] = pick(rng, [...'{}[]",:0-9ae ']);
    return chars.join('');
  }
  const json = JSON.parse(text) as Record<string, unknown>;
  for (let k = 0; k < 1 + rng.int(3); k++) {
    const [top, sub] = pick(rng, FIELDS).split('.') as [string, string | undefined];
    const value = rng.uniform() < 0.1 ? undefined : pick(rng, VALUES);
    if (sub === undefined) json[top] = value;
    else if (typeof json[top] === 'object' && json[top] !== null)
      (json[top] as Record<string, unknown>)[sub] = value;
    else json[top] = { [sub]: value };
  }
  return JSON.stringify(json).replaceAll(JSON.stringify(INF), '1e999');
}

function mutateWeights(rng: Random, bytes: Buffer): Buffer {
  const b = Buffer.from(bytes);
  const headerEnd = 8 + Number(b.readBigUInt64LE(0));
  const r = rng.uniform();
  if (r < 0.15) return b.subarray(0, rng.int(b.length));
  if (r < 0.55) {
    // Overwrite whole float32 values in the data region: huge, tiny, NaN, Inf or random bits.
    const floats = (b.length - headerEnd) >> 2;
    for (let k = 0; k < 1 + rng.int(4); k++) {
      const at = headerEnd + 4 * rng.int(floats);
      if (rng.uniform() < 0.5) b.writeUInt32LE(rng.nextUint32(), at);
      else
        b.writeFloatLE(
          pick(rng, [3e38, -3e38, 1e30, 1e-45, Number.NaN, Number.POSITIVE_INFINITY]),
          at,
        );
    }
    return b;
  }
  // Flip bytes, mostly in the header where the structure lives.
  for (let k = 0; k < 1 + rng.int(4); k++) {
    const pos = rng.int(rng.uniform() < 0.8 ? headerEnd : b.length);
    b[pos] = rng.int(256);
  }
  return b;
}

function mutateLabels(rng: Random, text: string): string {
  const json = JSON.parse(text) as Record<string, unknown>;
  json[pick(rng, ['id2label', 'label2id'])] = pick(rng, [
    { 0: 'a' },
    { 0: 'a', 1: 'a' },
    { 0: 'a', 2: 'b' },
    { 0: 'a', 1: 'b', 2: 'c' },
    { 0: 1, 1: 'b' },
    [],
    'x',
    null,
  ]);
  return JSON.stringify(json);
}

/** The thrown value must be an Error of one line; anything else fails the case. */
function oneLineError(err: unknown, what: string): string {
  assert.ok(err instanceof Error, `${what}: threw a non-Error: ${String(err)}`);
  assert.ok(!err.message.includes('\n'), `${what}: not one line: ${err.message}`);
  assert.ok(err.message.length > 0, `${what}: empty message`);
  return err.message;
}

function allFinite(file: string): void {
  // The strict reader refuses NaN and infinities; reading is the check.
  readSafetensors(file);
}

test(`${CASES} mutated adapter directories: a valid load or one clear line, never a crash, hang or non-finite output`, {
  timeout: 180_000,
}, () => {
  const bases = baseAdapters();
  const rng = new Random(20250110);
  let loaded = 0;
  let refused = 0;
  const messages = new Set<string>();
  for (let c = 0; c < CASES; c++) {
    const dir = join(root, `case-${c}`);
    cpSync(bases[c % bases.length]!, dir, { recursive: true });
    const target = rng.uniform();
    const config = join(dir, 'adapter_config.json');
    const weights = join(dir, 'adapter_model.safetensors');
    const labels = join(dir, 'label_map.json');
    if (target < 0.45 || target >= 0.9)
      writeFileSync(config, mutateConfig(rng, readFileSync(config, 'utf8')));
    if (target >= 0.45) writeFileSync(weights, mutateWeights(rng, readFileSync(weights)));
    if (target >= 0.85 && target < 0.9)
      writeFileSync(labels, mutateLabels(rng, readFileSync(labels, 'utf8')));
    const what = `case ${c}`;

    const out = join(root, `case-${c}.jsonl`);
    try {
      runPredict({ model: modelDir, adapter: dir, input, out });
      loaded++;
      for (const line of readFileSync(out, 'utf8').trim().split('\n')) {
        const logits = JSON.parse(line).logits as unknown[];
        assert.ok(
          logits.every((v) => typeof v === 'number' && Number.isFinite(v)),
          `${what}: non-finite logits ${JSON.stringify(logits)}`,
        );
      }
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      refused++;
      messages.add(oneLineError(err, `${what} predict`).replaceAll(root, '<root>'));
      assert.equal(existsSync(out), false, `${what}: predict failed but wrote ${out}`);
    }

    const exported = join(root, `case-${c}-export`);
    try {
      exportAdapter(dir, 'peft-dora', exported);
      allFinite(join(exported, 'adapter_model.safetensors'));
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      oneLineError(err, `${what} export`);
      assert.equal(existsSync(exported), false, `${what}: export failed but wrote ${exported}`);
    }

    if (c % 10 === 0) {
      const merged = join(root, `case-${c}-merged`);
      try {
        mergeModelDir(modelDir, dir, merged);
        allFinite(join(merged, 'model.safetensors'));
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        oneLineError(err, `${what} merge`);
        assert.equal(existsSync(merged), false, `${what}: merge failed but wrote ${merged}`);
      }
    }
    rmSync(dir, { recursive: true });
  }
  // Both outcomes happen: the mutations are neither all harmless nor all fatal.
  assert.ok(loaded > CASES / 20, `only ${loaded} of ${CASES} loaded`);
  assert.ok(refused > CASES / 3, `only ${refused} of ${CASES} refused`);
  assert.ok(messages.size > 20, `only ${messages.size} distinct errors`);
});

test('the unmutated bases load and predict finite logits (the harness itself works)', () => {
  for (const dir of [join(root, 'base-edora'), join(root, 'base-dora')]) {
    assert.ok(readSafetensorsHeader(join(dir, 'adapter_model.safetensors')).entries.length > 0);
    const out = join(root, 'base.jsonl');
    runPredict({ model: modelDir, adapter: dir, input, out });
    const rows = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(rows.length, 2);
    for (const row of rows) assert.ok(['neg', 'pos'].includes(JSON.parse(row).label));
  }
});
