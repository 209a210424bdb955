/**
 * An adapter that trains a classification head carries its label map
 * (label_map.json): predict, eval and merge answer with the adapter's labels,
 * also when the checkpoint's head has another number of labels (train then
 * gives it a fresh head, and says so), and a count that does not fit is an
 * error naming the file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Random } from '../../src/index.js';
import { alignToAdapterLabels } from '../../src/workflows/labels.js';
import { writeTinyCheckpoint } from '../helpers/tiny-checkpoint.js';

const root = mkdtempSync(join(tmpdir(), 'edora-labels-'));
after(() => rmSync(root, { recursive: true, force: true }));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/edora.js', ...args], { encoding: 'utf8' });
const two = join(root, 'two-labels'); // negative, positive
const three = join(root, 'three-labels'); // negative, neutral, positive
const data = join(root, 'data.jsonl'); // bad, good, meh
const input = join(root, 'input.jsonl');
const LABELS = ['bad', 'good', 'meh'];

before(() => {
  writeTinyCheckpoint(two, { modelType: 'bert', seed: 1 });
  writeTinyCheckpoint(three, {
    modelType: 'bert',
    seed: 2,
    labels: ['negative', 'neutral', 'positive'],
  });
  const rng = new Random(5);
  const words = ['the', 'cat', 'dog', 'sat', 'on', 'a', 'mat', 'big'];
  const lines = Array.from({ length: 24 }, (_, i) => {
    const text = Array.from({ length: 4 }, () => words[rng.int(words.length)]).join(' ');
    return JSON.stringify({ text, label: LABELS[i % 3] });
  });
  writeFileSync(data, `${lines.join('\n')}\n`);
  writeFileSync(input, `${lines.slice(0, 6).join('\n')}\n`);
});

function train(model: string, out: string) {
  const r = cli(
    'train',
    '--model',
    model,
    '--train',
    data,
    '--validation',
    data,
    '--method',
    'lora',
    '--r',
    '2',
    '--max-steps',
    '2',
    '--batch-size',
    '8',
    '--out',
    out,
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  return r;
}

function predict(model: string, adapter: string, out: string) {
  return cli('predict', '--model', model, '--adapter', adapter, '--input', input, '--out', out);
}

function predictions(out: string): { label: string; logits: number[] }[] {
  return readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

test('train on a checkpoint whose head has another number of labels: a fresh head, said in one line; the label map is saved', () => {
  const out = join(root, 'run-two');
  const r = train(two, out);
  const notices = r.stderr.split('\n').filter((l) => l.includes('fresh head'));
  assert.equal(notices.length, 1, r.stderr);
  assert.match(
    notices[0]!,
    /^edora train: .*two-labels: the checkpoint's head does not fit 3 labels \(classifier\.weight \[2,32\], needs \[3,32\]\): training a fresh head$/,
  );
  for (const dir of ['adapter', 'best']) {
    const map = JSON.parse(readFileSync(join(out, dir, 'label_map.json'), 'utf8'));
    assert.deepEqual(map, {
      id2label: { 0: 'bad', 1: 'good', 2: 'meh' },
      label2id: { bad: 0, good: 1, meh: 2 },
    });
  }
  // The PEFT files are untouched by the label map.
  const config = JSON.parse(readFileSync(join(out, 'adapter', 'adapter_config.json'), 'utf8'));
  assert.equal(config.id2label, undefined);
});

test('predict --adapter answers with the labels the adapter was trained with', () => {
  for (const [model, name] of [
    [two, 'run-two'],
    [three, 'run-three'],
  ] as const) {
    const adapter = join(root, name, 'adapter');
    if (!existsSync(adapter)) train(model, join(root, name));
    const out = join(root, `${name}.jsonl`);
    const r = predict(model, adapter, out);
    assert.equal(r.status, 0, r.stderr);
    for (const p of predictions(out)) {
      assert.equal(p.logits.length, 3);
      assert.equal(p.label, LABELS[p.logits.indexOf(Math.max(...p.logits))]);
    }
  }
});

test('eval and merge use the label map; merged config.json carries it', () => {
  const adapter = join(root, 'run-two', 'adapter');
  const ev = cli(
    'eval',
    '--model',
    two,
    '--adapter',
    adapter,
    '--train',
    data,
    '--validation',
    data,
    '--test',
    data,
    '--json',
  );
  assert.equal(ev.status, 0, ev.stderr);
  const metrics = JSON.parse(readFileSync(join(root, 'run-two', 'report', 'metrics.json'), 'utf8'));
  assert.deepEqual(JSON.parse(ev.stdout).validation, metrics.validation);
  const merged = join(root, 'merged');
  const m = cli('merge', '--model', two, '--adapter', adapter, '--out', merged);
  assert.equal(m.status, 0, m.stderr);
  const config = JSON.parse(readFileSync(join(merged, 'config.json'), 'utf8'));
  assert.deepEqual(config.id2label, { 0: 'bad', 1: 'good', 2: 'meh' });
  assert.deepEqual(config.label2id, { bad: 0, good: 1, meh: 2 });
  const plain = join(root, 'merged.jsonl');
  const p = cli('predict', '--model', merged, '--input', input, '--out', plain);
  assert.equal(p.status, 0, p.stderr);
  const viaAdapter = predictions(join(root, 'run-two.jsonl'));
  predictions(plain).forEach((row, i) => {
    assert.equal(row.label, viaAdapter[i]!.label);
    for (const [k, v] of row.logits.entries())
      assert.ok(Math.abs(v - viaAdapter[i]!.logits[k]!) < 1e-4, `${i}, ${k}`);
  });
});

test('a label map that does not fit the head or the data is an error naming it', () => {
  const bad = join(root, 'four-labels');
  cpSync(join(root, 'run-two', 'adapter'), bad, { recursive: true });
  writeFileSync(
    join(bad, 'label_map.json'),
    JSON.stringify({ id2label: { 0: 'a', 1: 'b', 2: 'c', 3: 'd' } }),
  );
  const p = predict(two, bad, join(root, 'never.jsonl'));
  assert.equal(p.status, 2, p.stderr);
  assert.equal(p.stderr.trim().split('\n').length, 1, p.stderr);
  assert.match(
    p.stderr,
    /four-labels: its label_map\.json lists 4 labels, but its classifier head has 3 outputs \(classifier\.bias \[3\], classifier\.weight \[3,32\]\)/,
  );
  assert.equal(existsSync(join(root, 'never.jsonl')), false);
  // A huge label map is refused before a head is built for it.
  const many = Array.from({ length: 50_000 }, (_, i) => [String(i), `l${i}`]);
  writeFileSync(
    join(bad, 'label_map.json'),
    JSON.stringify({ id2label: Object.fromEntries(many) }),
  );
  const huge = predict(two, bad, join(root, 'never.jsonl'));
  assert.equal(huge.status, 2, huge.stderr);
  assert.match(huge.stderr, /lists 50000 labels, but its classifier head has 3 outputs/);
  const posneg = join(root, 'posneg.jsonl');
  writeFileSync(posneg, '{"text": "a", "label": "pos"}\n{"text": "b", "label": "neg"}\n');
  const ev = cli(
    'eval',
    '--model',
    two,
    '--adapter',
    join(root, 'run-two', 'adapter'),
    '--train',
    posneg,
    '--validation',
    posneg,
  );
  assert.equal(ev.status, 2, ev.stderr);
  assert.match(
    ev.stderr,
    /label_map\.json lists 3 labels \("bad", "good", "meh"\), the data .*posneg\.jsonl has 2 \("neg", "pos"\)/,
  );
  writeFileSync(join(bad, 'label_map.json'), JSON.stringify({ id2label: { 0: 'a', 1: 'a' } }));
  const dup = predict(two, bad, join(root, 'never.jsonl'));
  assert.match(dup.stderr, /four-labels\/label_map\.json: label "a" appears twice/);
});

test("the same labels in another order are re-indexed to the adapter's; other names are refused", () => {
  const ex = (label: number) => ({ text: 't', label });
  const data = {
    name: 'd',
    labels: ['meh', 'bad', 'good'],
    metric: 'accuracy' as const,
    train: [ex(0)],
    validation: [ex(1), ex(2)],
    test: [ex(0)],
    description: '',
  };
  const aligned = alignToAdapterLabels(data, LABELS, 'ad');
  assert.deepEqual(aligned.labels, LABELS);
  assert.deepEqual(
    aligned.validation.map((e) => e.label),
    [0, 1],
  );
  assert.deepEqual(
    aligned.test.map((e) => e.label),
    [2],
  );
  assert.throws(
    () => alignToAdapterLabels({ ...data, labels: ['meh', 'bad', 'fine'] }, LABELS, 'ad'),
    /ad\/label_map\.json: the data d has labels the adapter was not trained on \("fine"/,
  );
  assert.equal(alignToAdapterLabels(data, null, 'ad'), data);
});
