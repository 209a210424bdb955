import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const run = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/edora.js', ...args], { encoding: 'utf8' });

test('edora params reproduces the paper counts for RoBERTa-base (r = 16, α = 16, head excluded)', () => {
  const p = run(
    'params',
    '--model',
    'test/fixtures/configs/roberta-base.json',
    '--r',
    '16',
    '--json',
  );
  assert.equal(p.status, 0, p.stderr);
  const rows = JSON.parse(p.stdout).rows as {
    method: string;
    trainable: number;
    modules: number;
    base: number;
  }[];
  const by = Object.fromEntries(rows.map((r) => [r.method, r]));
  // RobertaForSequenceClassification (2 labels) in transformers: 124,647,170 parameters.
  assert.equal(by['edora']!.base, 124_647_170);
  // DESIGN.md / arXiv 2501.12067: 48 adapted modules.
  assert.equal(by['edora']!.trainable, 49_152);
  assert.equal(by['lora']!.trainable, 1_622_016);
  assert.equal(by['dora']!.trainable, 1_658_880);
  assert.equal(by['edora']!.modules, 48);
});

test('edora params prints r ∈ {4, 8, 16, 32} by default', () => {
  const p = run(
    'params',
    '--model',
    'test/fixtures/configs/roberta-base.json',
    '--method',
    'edora',
  );
  assert.equal(p.status, 0, p.stderr);
  for (const [r, n] of [
    [4, '37,632'],
    [8, '39,936'],
    [16, '49,152'],
    [32, '86,016'],
  ] as const) {
    assert.match(p.stdout, new RegExp(`edora\\s+${r}\\s+48\\s+${n}`));
  }
});

test('bad input: one line, exit code 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edora-params-bad-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const config = (name: string, patch: Record<string, unknown>): string => {
    const path = join(dir, name);
    const tiny = {
      model_type: 'bert',
      vocab_size: 100,
      hidden_size: 32,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      intermediate_size: 64,
    };
    writeFileSync(path, JSON.stringify({ ...tiny, ...patch }));
    return path;
  };
  for (const args of [
    ['params', '--model', config('layers.json', { num_hidden_layers: 1e7 })],
    ['params', '--model', config('hidden.json', { hidden_size: 1e9, num_attention_heads: 1 })],
    ['params', '--model', 'no/such/dir'],
    ['params', '--model', 'test/fixtures/configs/roberta-base.json', '--method', 'vera'],
    ['params', '--model', 'test/fixtures/configs/roberta-base.json', '--r', 'x'],
    ['params', '--model', 'test/fixtures/configs/roberta-base.json', '--r', '1000'],
    ['params', '--model', 'package.json'],
  ]) {
    const p = run(...args);
    assert.equal(p.status, 2, `${args.join(' ')}: ${p.stderr}`);
    assert.equal(p.stderr.trim().split('\n').length, 1, p.stderr);
    assert.match(p.stderr, /^edora: /);
  }
});

test('edora params counts from config.json alone: a model no machine could build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edora-params-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // Its word embeddings alone would be 2^37 floats (512 GiB).
  const [vocab, h, layers, inter, pos, types, labels] = [2 ** 21, 2 ** 16, 3, 2 ** 18, 512, 2, 2];
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      model_type: 'bert',
      vocab_size: vocab,
      hidden_size: h,
      num_hidden_layers: layers,
      num_attention_heads: 16,
      intermediate_size: inter,
      max_position_embeddings: pos,
      type_vocab_size: types,
    }),
  );
  const p = run('params', '--model', config, '--method', 'lora,edora', '--r', '8', '--json');
  assert.equal(p.status, 0, p.stderr);
  const rows = JSON.parse(p.stdout).rows as { method: string; trainable: number; base: number }[];
  // BertForSequenceClassification, counted by hand: embeddings and their
  // LayerNorm; per layer Q, K, V and the attention output (h×h + h each), two
  // LayerNorms, the intermediate and output dense layers; pooler; classifier.
  const linear = (dIn: number, dOut: number) => dIn * dOut + dOut;
  const perLayer = 4 * linear(h, h) + 2 * 2 * h + linear(h, inter) + linear(inter, h);
  const base =
    (vocab + pos + types) * h + 2 * h + layers * perLayer + linear(h, h) + linear(h, labels);
  const r = 8;
  // Targets query, value, attention.output.dense (h → h) and output.dense (inter → h).
  const lora = layers * (3 * r * (h + h) + r * (inter + h));
  const edora = layers * 4 * (r * r + h);
  assert.deepEqual(
    rows.map((row) => [row.method, row.trainable, row.base]),
    [
      ['lora', lora, base],
      ['edora', edora, base],
    ],
  );
});
