/**
 * edora merge / export / predict --adapter on a tiny RoBERTa checkpoint:
 * merged weights, exported PEFT DoRA adapters and adapter forwards all give
 * the same logits; and `edora merge` of the checked-in EDoRA fixtures gives
 * the merged logits Hugging Face PEFT recorded for their DoRA exports.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  loadModel,
  loadPeftAdapter,
  loadTokenizer,
  noGrad,
  PeftModel,
  savePeftAdapter,
} from '../../src/index.js';
import { readSafetensorsHeader } from '../../src/io/safetensors.js';
import { relErr } from '../helpers/compare.js';
import { type EncoderCase, encoderInput } from '../helpers/encoder-input.js';
import { perturbTrainable } from '../helpers/perturb.js';
import { tempRoot } from '../helpers/temp-dir.js';
import { writeTinyCheckpoint } from '../helpers/tiny-checkpoint.js';
import { baseDir, baseOf, FIXTURES, type InteropBase } from '../peft/interop-specs.js';

const tmp = tempRoot('edora-merge-');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/edora.js', ...args], { encoding: 'utf8' });

const TEXTS = ['a tiny test', 'another one, longer than the first'];

function logits(modelDir: string, adapterDir?: string): number[] {
  const { model } = loadModel(modelDir);
  if (adapterDir) loadPeftAdapter(model, adapterDir);
  const batch = loadTokenizer(modelDir).encodeBatch(TEXTS);
  return noGrad(() => model.forward(batch).toArray());
}

test('merge, export to peft-dora and predict --adapter agree with the adapter forward', () => {
  const modelDir = join(tmp, 'model');
  writeTinyCheckpoint(modelDir, { modelType: 'roberta', seed: 3 });
  const { model } = loadModel(modelDir);
  const pm = PeftModel.create(model, {
    method: 'edora',
    r: 4,
    targetModules: ['query', 'value', 'attention.output.dense', 'output.dense'],
    modulesToSave: ['classifier'],
  });
  perturbTrainable(pm, 4, 0.1);
  const adapterDir = join(tmp, 'adapter');
  savePeftAdapter(pm, adapterDir);
  const batch = loadTokenizer(modelDir).encodeBatch(TEXTS);
  const expected = noGrad(() => model.forward(batch).toArray());
  assert.ok(relErr(logits(modelDir), expected) > 1e-3, 'the adapter changes the logits');
  assert.ok(relErr(logits(modelDir, adapterDir), expected) < 1e-6);

  const merged = join(tmp, 'merged');
  const m = cli('merge', '--model', modelDir, '--adapter', adapterDir, '--out', merged);
  assert.equal(m.status, 0, m.stderr);
  assert.ok(existsSync(join(merged, 'config.json')) && existsSync(join(merged, 'tokenizer.json')));
  assert.ok(relErr(logits(merged), expected) < 1e-5, 'merged model');

  const exported = join(tmp, 'as-dora');
  const e = cli('export', '--adapter', adapterDir, '--to', 'peft-dora', '--out', exported);
  assert.equal(e.status, 0, e.stderr);
  assert.equal(
    JSON.parse(readFileSync(join(exported, 'adapter_config.json'), 'utf8')).use_dora,
    true,
  );
  assert.ok(relErr(logits(modelDir, exported), expected) < 1e-5, 'exported DoRA adapter');

  const input = join(tmp, 'in.jsonl');
  writeFileSync(input, TEXTS.map((text) => JSON.stringify({ text })).join('\n'));
  const out = join(tmp, 'pred.jsonl');
  const p = cli(
    'predict',
    '--model',
    modelDir,
    '--adapter',
    adapterDir,
    '--input',
    input,
    '--out',
    out,
  );
  assert.equal(p.status, 0, p.stderr);
  const rows = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { logits: number[] });
  assert.ok(
    relErr(
      rows.flatMap((r) => r.logits),
      expected,
    ) < 1e-5,
    'predict --adapter',
  );
});

test("edora merge of the EDoRA fixtures gives PEFT's merged logits of their DoRA exports", () => {
  // PEFT's merge_and_unload of the exported DoRA adapter, in float64 (test/fixtures/peft/make_reference.py).
  const peft = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as {
    base_logits: Record<InteropBase, number[][]>;
    adapters: Record<string, { merged_logits?: number[][] }>;
  };
  const cases = JSON.parse(
    readFileSync(join(process.cwd(), 'test/fixtures/models/expected.json'), 'utf8'),
  ) as Record<InteropBase, EncoderCase>;
  for (const name of ['edora-edora', 'roberta-edora']) {
    const base = baseOf(name);
    const want = peft.adapters[`${name}-as-dora`]!.merged_logits!.flat();
    assert.ok(relErr(peft.base_logits[base].flat(), want) > 0.05, `${name} moves the logits`);
    const out = join(tmp, `merged-${name}`);
    const r = cli(
      'merge',
      '--model',
      baseDir(base),
      '--adapter',
      join(FIXTURES, name),
      '--out',
      out,
    );
    assert.equal(r.status, 0, r.stderr);
    const { model } = loadModel(out);
    const e = relErr(
      noGrad(() => model.forward(encoderInput(cases[base])).toArray()),
      want,
    );
    assert.ok(e < 1e-5, `${name}: merged logits, relative error ${e} against PEFT's`);
  }
});

test('bad input to merge and export: one line, exit 2, nothing written', () => {
  const busy = join(tmp, 'busy');
  mkdirSync(busy, { recursive: true });
  writeFileSync(join(busy, 'keep.txt'), 'x');
  const cases: [string[], RegExp][] = [
    [
      ['merge', '--model', join(tmp, 'model'), '--adapter', join(tmp, 'adapter'), '--out', busy],
      /busy: output directory exists and is not empty/,
    ],
    [
      [
        'merge',
        '--model',
        join(tmp, 'nope'),
        '--adapter',
        join(tmp, 'adapter'),
        '--out',
        join(tmp, 'o1'),
      ],
      /nope: no config\.json/,
    ],
    [
      ['export', '--adapter', join(tmp, 'adapter'), '--to', 'onnx', '--out', join(tmp, 'o2')],
      /--to must be 'peft-dora' or 'peft-lora', got 'onnx'/,
    ],
    [
      ['export', '--adapter', join(tmp, 'adapter'), '--to', 'peft-lora', '--out', join(tmp, 'o3')],
      /edora adapters cannot be exported to peft-lora/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
  assert.deepEqual(readdirSync(busy), ['keep.txt']);
  for (const o of ['o1', 'o2', 'o3']) assert.equal(existsSync(join(tmp, o)), false);
  assert.deepEqual(
    readdirSync(tmp).filter((f) => f.includes('.tmp')),
    [],
  );
});

/** A copy of `from` with one value of tensor `name` replaced, in the file's bytes. */
function withValue(from: string, to: string, name: string, value: number): void {
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from)) writeFileSync(join(to, f), readFileSync(join(from, f)));
  const file = join(to, 'adapter_model.safetensors');
  const entry = readSafetensorsHeader(file).entries.find((e) => e.name === name);
  assert.ok(entry, name);
  const bytes = readFileSync(file);
  bytes.writeFloatLE(value, entry.begin + 4);
  writeFileSync(file, bytes);
}

test('an adapter holding NaN or an infinity: predict, merge and export refuse it, naming the tensor', () => {
  const modelDir = join(tmp, 'model');
  const key = 'base_model.model.roberta.encoder.layer.0.attention.self.query.lora_R.weight';
  const input = join(tmp, 'nan-in.jsonl');
  writeFileSync(input, `${JSON.stringify({ text: 'a tiny test' })}\n`);
  for (const [i, value] of [Number.NaN, Number.POSITIVE_INFINITY].entries()) {
    const bad = join(tmp, `nan-adapter-${i}`);
    withValue(join(tmp, 'adapter'), bad, key, value);
    const runs: string[][] = [
      [
        'predict',
        '--model',
        modelDir,
        '--adapter',
        bad,
        '--input',
        input,
        '--out',
        join(tmp, `nan-${i}.jsonl`),
      ],
      ['merge', '--model', modelDir, '--adapter', bad, '--out', join(tmp, `nan-merged-${i}`)],
      ['export', '--adapter', bad, '--to', 'peft-dora', '--out', join(tmp, `nan-export-${i}`)],
    ];
    for (const args of runs) {
      const r = cli(...args);
      assert.equal(r.status, 2, `${args[0]}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`tensor '${key.replaceAll('.', '\\.')}' holds ${value} at \\[0,1\\]`),
      );
      assert.equal(existsSync(args.at(-1)!), false, `${args[0]} wrote ${args.at(-1)}`);
    }
  }
});

test('finite values that overflow float32: predict and merge refuse the result, naming the output', () => {
  const modelDir = join(tmp, 'model');
  const key = 'base_model.model.roberta.encoder.layer.0.attention.self.query.lora_R.weight';
  const big = join(tmp, 'big-adapter');
  withValue(join(tmp, 'adapter'), big, key, 3e38);
  const input = join(tmp, 'big-in.jsonl');
  writeFileSync(input, `${JSON.stringify({ text: 'a tiny test' })}\n`);
  const p = cli(
    'predict',
    '--model',
    modelDir,
    '--adapter',
    big,
    '--input',
    input,
    '--out',
    join(tmp, 'big.jsonl'),
  );
  assert.equal(p.status, 2, p.stderr);
  assert.match(p.stderr, /--input record 1: the model computes a non-finite logit/);
  assert.equal(existsSync(join(tmp, 'big.jsonl')), false);
  const out = join(tmp, 'big-merged');
  const m = cli('merge', '--model', modelDir, '--adapter', big, '--out', out);
  assert.equal(m.status, 2, m.stderr);
  assert.equal(m.stderr.trim().split('\n').length, 1, m.stderr);
  // The error names the output the user asked for, not a temporary directory.
  assert.match(
    m.stderr,
    /big-merged\/model\.safetensors: tensor 'roberta\.encoder\.layer\.0\.attention\.self\.query\.weight' holds (NaN|-?Infinity)/,
  );
  assert.doesNotMatch(m.stderr, /tmp-/);
  assert.equal(existsSync(out), false);
});
