/**
 * edora train --method full end to end on a tiny BERT checkpoint: the
 * fine-tuned model is written as a Hugging Face directory (no adapter), and
 * edora predict on it reproduces the run's test accuracy. Also the method
 * in `edora bench` and `edora params`.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_LR, loadModel, loadUseLite, Random } from '../../src/index.js';
import { edora, ownDataFlags } from '../helpers/cli.js';
import { writeTinyCheckpoint } from '../helpers/tiny-checkpoint.js';

const root = mkdtempSync(join(tmpdir(), 'edora-train-full-'));
after(() => rmSync(root, { recursive: true, force: true }));
const model = join(root, 'model');
const trainFile = join(root, 'train.jsonl');
const testFile = join(root, 'test.jsonl');
const WORDS = ['the', 'cat', 'dog', 'runs', 'sat', 'on', 'a', 'mat', 'big', 'small'];

function lines(n: number, seed: number): { text: string; label: string }[] {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => {
    const words = Array.from({ length: 3 + rng.int(6) }, () => WORDS[rng.int(WORDS.length)]!);
    return { text: words.join(' '), label: words.includes('cat') ? 'pos' : 'neg' };
  });
}

const testRows = lines(24, 4);
before(() => {
  writeTinyCheckpoint(model, { modelType: 'bert', seed: 1 });
  const jsonl = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
  writeFileSync(trainFile, jsonl(lines(48, 3)));
  writeFileSync(testFile, jsonl(testRows));
});

test('train --method full writes the fine-tuned model; predict on it gives the run’s test accuracy', () => {
  const out = join(root, 'run');
  const r = edora(
    'train',
    ...ownDataFlags(model, trainFile, testFile),
    '--method',
    'full',
    '--max-steps',
    '4',
    '--batch-size',
    '8',
    '--lr',
    '1e-3',
    '--seed',
    '3',
    '--out',
    out,
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as {
    method: string;
    trainable: number;
    steps: number;
    test: { accuracy: number };
  };
  assert.equal(summary.method, 'full');
  assert.equal(summary.steps, 4);
  const all = loadModel(model)
    .model.parameters()
    .reduce((s, t) => s + t.size, 0);
  assert.equal(summary.trainable, all);
  assert.ok(!existsSync(join(out, 'adapter')), 'no adapter for full fine-tuning');
  assert.deepEqual(readdirSync(join(out, 'model')).sort(), [
    'config.json',
    'model.safetensors',
    'tokenizer.json',
    'tokenizer_config.json',
  ]);
  // The saved model is a plain classifier: predict reads it, with the task's label names.
  const input = join(root, 'input.jsonl');
  writeFileSync(input, testRows.map((row) => `${JSON.stringify({ text: row.text })}\n`).join(''));
  const predictions = join(root, 'predictions.jsonl');
  const p = edora('predict', '--model', join(out, 'model'), '--input', input, '--out', predictions);
  assert.equal(p.status, 0, p.stderr);
  const labels = readFileSync(predictions, 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { label: string }).label);
  assert.ok(
    labels.every((l) => l === 'neg' || l === 'pos'),
    labels.join(),
  );
  const accuracy = labels.filter((l, i) => l === testRows[i]!.label).length / labels.length;
  assert.equal(accuracy, summary.test.accuracy);
});

test('train --method full with --target: one line, exit 2, nothing written', () => {
  const out = join(root, 'never');
  const r = edora(
    'train',
    '--model',
    model,
    '--train',
    trainFile,
    '--method',
    'full',
    '--target',
    'query',
    '--out',
    out,
  );
  assert.equal(r.status, 2, r.stderr);
  assert.equal(
    r.stderr,
    'edora: --target: --method full trains every weight of the model; drop --target\n',
  );
  assert.ok(!existsSync(out));
});

test('bench --methods full: one row with every USE-Lite weight and the head trainable', () => {
  const r = edora(
    'bench',
    '--tasks',
    'spam',
    '--methods',
    'full',
    '--max-train',
    '16',
    '--max-eval',
    '8',
    '--epochs',
    '1',
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.rows.length, 1);
  assert.equal(out.rows[0].method, 'full');
  const encoder = loadUseLite()
    .parameters()
    .reduce((s, t) => s + t.size, 0);
  assert.equal(out.rows[0].trainable, encoder + 2 * 512 + 2); // the head: 2 labels × 512 + bias
  assert.equal(out.settings.lr.full, DEFAULT_LR.full);
});

test('params --method full: every parameter but the head, once whatever the ranks', () => {
  const p = edora(
    'params',
    '--model',
    'test/fixtures/configs/roberta-base.json',
    '--method',
    'full,edora',
    '--r',
    '8,16',
    '--json',
  );
  assert.equal(p.status, 0, p.stderr);
  const rows = JSON.parse(p.stdout).rows as { method: string; trainable: number; base: number }[];
  const full = rows.filter((r) => r.method === 'full');
  assert.equal(full.length, 1);
  // RoBERTa-base by hand: embeddings 50265·768 + 514·768 + 768 + 2·768; 12 layers of
  // 4·(768² + 768) + 2·(768·3072) + 3072 + 768 + 4·768; the head 768² + 768 + 768·2 + 2.
  const embeddings = 50265 * 768 + 514 * 768 + 768 + 2 * 768;
  const layer = 4 * (768 * 768 + 768) + 2 * 768 * 3072 + 3072 + 768 + 4 * 768;
  assert.equal(full[0]!.trainable, embeddings + 12 * layer);
  assert.equal(full[0]!.base, embeddings + 12 * layer + 768 * 768 + 768 + 768 * 2 + 2);
  const text = edora(
    'params',
    '--model',
    'test/fixtures/configs/roberta-base.json',
    '--method',
    'full',
  );
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /full\s+-\s+all\s+124,055,040\s+99\.5250/);
});
