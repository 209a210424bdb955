/**
 * edora train --keep-checkpoints then edora analyze, end to end on a tiny
 * BERT: the kept series is one PEFT adapter per checkpoint, and analyze
 * writes analysis.json (ΔM/ΔD per layer and checkpoint, checked here against
 * weightChange of the adapter merged by hand) and the ΔD-vs-ΔM chart.
 * Bad input is one line and exit code 2, with nothing written.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Random } from '../../src/index.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { loadModel } from '../../src/models/load.js';
import { weightChange } from '../../src/workflows/weight-change.js';
import { writeTinyCheckpoint } from '../helpers/tiny-checkpoint.js';

const root = mkdtempSync(join(tmpdir(), 'edora-analyze-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));
const model = join(root, 'model');
const trainFile = join(root, 'train.jsonl');
const WORDS = ['the', 'cat', 'dog', 'runs', 'sat', 'on', 'a', 'mat'];
const STEPS = 3;

const edora = (args: string[]) =>
  spawnSync(process.execPath, ['bin/edora.js', ...args], { encoding: 'utf8' });

function train(method: string, out: string): void {
  const r = edora([
    'train',
    ...['--model', model, '--train', trainFile, '--validation', trainFile],
    ...['--method', method, '--r', '2', '--target', 'query'],
    ...['--max-steps', String(STEPS), '--batch-size', '4', '--lr', '5e-2', '--seed', '1'],
    ...['--checkpoint-every', '1', '--keep-checkpoints', '--out', out],
  ]);
  assert.equal(r.status, 0, r.stderr);
}

before(() => {
  writeTinyCheckpoint(model, { modelType: 'bert', seed: 1 });
  const rng = new Random(3);
  const line = (): string => {
    const words = Array.from({ length: 5 }, () => WORDS[rng.int(WORDS.length)]!);
    return JSON.stringify({ text: words.join(' '), label: words.includes('cat') ? 'pos' : 'neg' });
  };
  writeFileSync(trainFile, `${Array.from({ length: 24 }, line).join('\n')}\n`);
  train('lora', join(root, 'lora'));
  train('dora', join(root, 'dora'));
});

test('train --keep-checkpoints keeps one adapter per checkpoint in checkpoints/step-N', () => {
  const kept = readdirSync(join(root, 'lora', 'checkpoints')).sort();
  assert.deepEqual(kept, ['step-1', 'step-2', 'step-3']);
  for (const k of kept)
    assert.ok(existsSync(join(root, 'lora', 'checkpoints', k, 'adapter_model.safetensors')));
});

test('edora analyze writes ΔM/ΔD of every checkpoint and the chart', () => {
  const out = join(root, 'analysis');
  const r = edora([
    'analyze',
    ...['--model', model, '--runs', `lora=${join(root, 'lora')},dora=${join(root, 'dora')}`],
    ...['--out', out],
  ]);
  assert.equal(r.status, 0, r.stderr);
  const a = JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8'));
  assert.deepEqual(
    a.runs.map((run: { method: string }) => run.method),
    ['lora', 'dora'],
  );
  // LoRA's merged query weight, by hand: W0 + s·B·A with s = alpha/r (alpha defaults to 2r... read it).
  const base = new Map(loadModel(model).model.namedParameters());
  const lora = a.runs[0];
  assert.equal(lora.checkpoints.length, STEPS);
  for (const c of lora.checkpoints) {
    const config = JSON.parse(readFileSync(join(c.dir, 'adapter_config.json'), 'utf8'));
    const s = config.lora_alpha / config.r;
    const tensors = readSafetensors(join(c.dir, 'adapter_model.safetensors')).tensors;
    for (const p of c.layers) {
      const path = p.layer.slice(0, -'.weight'.length);
      const A = tensors.get(`base_model.model.${path}.lora_A.weight`)!;
      const B = tensors.get(`base_model.model.${path}.lora_B.weight`)!;
      const W = base.get(p.layer)!;
      const [d, k] = W.shape as [number, number];
      const merged = new Float32Array(d * k);
      for (let i = 0; i < d; i++)
        for (let j = 0; j < k; j++) {
          let sum = 0;
          for (let q = 0; q < config.r; q++) sum += B.data[i * config.r + q]! * A.data[q * k + j]!;
          merged[i * k + j] = W.data[W.offset + i * k + j]! + s * sum;
        }
      const want = weightChange(
        Float32Array.from(W.data.subarray(W.offset, W.offset + W.size)),
        merged,
        [d, k],
      );
      if (c.step === STEPS) assert.ok(want.dM > 0, `the run moved ${p.layer}`);
      assert.ok(
        Math.abs(p.dM - want.dM) <= 1e-5 * want.dM + 1e-9,
        `${p.layer} dM ${p.dM} vs ${want.dM}`,
      );
      assert.ok(
        Math.abs(p.dD - want.dD) <= 1e-4 * want.dD + 1e-9,
        `${p.layer} dD ${p.dD} vs ${want.dD}`,
      );
    }
  }
  const svg = readFileSync(join(out, 'dm-dd.svg'), 'utf8');
  assert.match(svg, /^<svg/);
  assert.match(svg, /ΔM/);
  assert.match(svg, /lora \(r = /);
  assert.match(svg, /dora \(r = /);
  assert.match(r.stderr, /edora analyze: lora \(r = .*\) over 3 checkpoints/);
});

test('edora analyze: bad input is one line and exit code 2, and nothing is written', () => {
  const out = join(root, 'bad');
  const cases: [string[], RegExp][] = [
    [['--runs', 'lora'], /^edora: --runs: expected comma-separated method=DIR entries/],
    [['--runs', `lora=${model}`], /^edora: .*: no checkpoints\/ directory \(train the run with/],
    [
      ['--runs', `lora=${join(root, 'lora')}`, '--layers', 'nope'],
      /^edora: --layers 'nope': matches no 2-D weight/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = edora(['analyze', '--model', model, ...args, '--out', out]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(!existsSync(out), 'nothing written');
  }
});

test('edora train --keep-checkpoints without --out is refused in one line', () => {
  const r = edora(['train', '--model', model, '--train', trainFile, '--keep-checkpoints']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /^edora: --keep-checkpoints needs --out \(the series goes to <out>\/checkpoints\/\)\n$/,
  );
});
