import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GLUE_TASKS, readGlueTask } from '../../src/data/index.js';
import { tempDir } from './tmp.js';

const tmp = tempDir();
const tsv = (...rows: string[][]) => `${rows.map((r) => r.join('\t')).join('\n')}\n`;

/** Writes a task folder; test.tsv is present (unlabelled) as in the GLUE download, and ignored. */
function task(name: string, files: Record<string, string>): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  writeFileSync(join(dir, 'test.tsv'), tsv(['index', 'sentence'], ['0', 'unlabelled']));
  return dir;
}

test('CoLA: no header, columns [source, label, original label, sentence], metric mcc', () => {
  const dir = task('cola', {
    'train.tsv': tsv(
      ['gj04', '1', '', "Our friends won't buy this analysis."],
      ['gj04', '0', '*', 'One more pseudo generalization.'],
    ),
    'dev.tsv': tsv(['gj04', '1', '', 'The sailors rode the breeze clear of the rocks.']),
  });
  const t = readGlueTask(dir, 'cola');
  assert.deepEqual(t.labels, ['unacceptable', 'acceptable']);
  assert.equal(t.metric, 'mcc');
  assert.deepEqual(t.train, [
    { text: "Our friends won't buy this analysis.", label: 1 },
    { text: 'One more pseudo generalization.', label: 0 },
  ]);
  assert.deepEqual(t.validation, [
    { text: 'The sailors rode the breeze clear of the rocks.', label: 1 },
  ]);
  assert.deepEqual(t.test, []);
});

test('SST-2: "sentence\\tlabel" with header; quotes are plain characters', () => {
  const dir = task('sst2', {
    'train.tsv': tsv(
      ['sentence', 'label'],
      ['hide new secretions ', '0'],
      ['" the greatest musicians', '1'],
    ),
    'dev.tsv': tsv(['sentence', 'label'], ["it 's a charming journey . ", '1']),
  });
  const t = readGlueTask(dir, 'sst2');
  assert.deepEqual(t.labels, ['negative', 'positive']);
  assert.equal(t.metric, 'accuracy');
  assert.deepEqual(t.train, [
    { text: 'hide new secretions ', label: 0 },
    { text: '" the greatest musicians', label: 1 },
  ]);
  assert.equal(t.validation.length, 1);
});

test('MRPC: Quality, #1 ID, #2 ID, #1 String, #2 String; metric f1', () => {
  const header = ['Quality', '#1 ID', '#2 ID', '#1 String', '#2 String'];
  const dir = task('mrpc', {
    'train.tsv': tsv(header, [
      '1',
      '702876',
      '702977',
      'Amrozi accused his brother.',
      'Referring to him, Amrozi accused.',
    ]),
    'dev.tsv': tsv(header, ['0', '1', '2', 'A', 'B']),
  });
  const t = readGlueTask(dir, 'mrpc');
  assert.deepEqual(t.labels, ['not_equivalent', 'equivalent']);
  assert.equal(t.metric, 'f1');
  assert.deepEqual(t.train, [
    {
      text: 'Amrozi accused his brother.',
      textPair: 'Referring to him, Amrozi accused.',
      label: 1,
    },
  ]);
  assert.deepEqual(t.validation, [{ text: 'A', textPair: 'B', label: 0 }]);
});

test('QQP: id, qid1, qid2, question1, question2, is_duplicate; metric f1', () => {
  const header = ['id', 'qid1', 'qid2', 'question1', 'question2', 'is_duplicate'];
  const dir = task('qqp', {
    'train.tsv': tsv(header, [
      '133273',
      '213221',
      '213222',
      'How is the life?',
      'How is life?',
      '1',
    ]),
    'dev.tsv': tsv(header, ['1', '2', '3', 'Why?', 'Why not?', '0']),
  });
  const t = readGlueTask(dir, 'qqp');
  assert.deepEqual(t.labels, ['not_duplicate', 'duplicate']);
  assert.equal(t.metric, 'f1');
  assert.deepEqual(t.train, [{ text: 'How is the life?', textPair: 'How is life?', label: 1 }]);
  assert.deepEqual(t.validation, [{ text: 'Why?', textPair: 'Why not?', label: 0 }]);
});

test('STS-B: ten columns, sentence1/sentence2/score; regression (labels null), metric pearson', () => {
  const header = [
    'index',
    'genre',
    'filename',
    'year',
    'old_index',
    'source1',
    'source2',
    'sentence1',
    'sentence2',
    'score',
  ];
  const dir = task('stsb', {
    'train.tsv': tsv(header, [
      '0',
      'main-captions',
      'MSRvid',
      '2012test',
      '0001',
      'none',
      'none',
      'A plane is taking off.',
      'An air plane is taking off.',
      '5.000',
    ]),
    'dev.tsv': tsv(header, [
      '0',
      'main-captions',
      'MSRvid',
      '2012test',
      '0000',
      'none',
      'none',
      'A man.',
      'A woman.',
      '0.750',
    ]),
  });
  const t = readGlueTask(dir, 'stsb');
  assert.equal(t.labels, null);
  assert.equal(t.metric, 'pearson');
  assert.deepEqual(t.train, [
    { text: 'A plane is taking off.', textPair: 'An air plane is taking off.', label: 5 },
  ]);
  assert.deepEqual(t.validation, [{ text: 'A man.', textPair: 'A woman.', label: 0.75 }]);
});

test('MNLI: sentence1/sentence2/gold_label by name, dev_matched.tsv as validation', () => {
  const train = [
    'index',
    'promptID',
    'pairID',
    'genre',
    'sentence1_binary_parse',
    'sentence2_binary_parse',
    'sentence1_parse',
    'sentence2_parse',
    'sentence1',
    'sentence2',
    'label1',
    'gold_label',
  ];
  const dev = [...train.slice(0, 11), 'label2', 'label3', 'label4', 'label5', 'gold_label'];
  const row = (s1: string, s2: string, gold: string, labels: number) => [
    '0',
    '31193',
    '31193n',
    'government',
    '( ( x ) )',
    '( y )',
    '(ROOT x)',
    '(ROOT y)',
    s1,
    s2,
    ...new Array<string>(labels).fill(gold),
    gold,
  ];
  const dir = task('mnli', {
    'train.tsv': tsv(
      train,
      row('Conceptually cream skimming.', 'Product and geography.', 'neutral', 1),
      row('a', 'b', 'contradiction', 1),
    ),
    'dev_matched.tsv': tsv(dev, row('The new rights.', 'Everyone likes them.', 'entailment', 5)),
  });
  const t = readGlueTask(dir, 'mnli');
  assert.deepEqual(t.labels, ['entailment', 'neutral', 'contradiction']);
  assert.deepEqual(t.train, [
    { text: 'Conceptually cream skimming.', textPair: 'Product and geography.', label: 1 },
    { text: 'a', textPair: 'b', label: 2 },
  ]);
  assert.deepEqual(t.validation, [
    { text: 'The new rights.', textPair: 'Everyone likes them.', label: 0 },
  ]);
  assert.match(t.description, /dev_matched\.tsv \(1\) as validation/);
});

test('QNLI, RTE and WNLI: index, first, second, label (QNLI/RTE by name, WNLI as 0/1)', () => {
  const qnli = task('qnli', {
    'train.tsv': tsv(
      ['index', 'question', 'sentence', 'label'],
      ['0', 'When?', 'In 1990.', 'entailment'],
      ['1', 'Who?', 'Nobody.', 'not_entailment'],
    ),
    'dev.tsv': tsv(
      ['index', 'question', 'sentence', 'label'],
      ['0', 'What?', 'This.', 'not_entailment'],
    ),
  });
  const q = readGlueTask(qnli, 'qnli');
  assert.deepEqual(q.labels, ['entailment', 'not_entailment']);
  assert.deepEqual(q.train, [
    { text: 'When?', textPair: 'In 1990.', label: 0 },
    { text: 'Who?', textPair: 'Nobody.', label: 1 },
  ]);
  const rte = task('rte', {
    'train.tsv': tsv(
      ['index', 'sentence1', 'sentence2', 'label'],
      ['0', 'No weapons.', 'Weapons found.', 'not_entailment'],
    ),
    'dev.tsv': tsv(
      ['index', 'sentence1', 'sentence2', 'label'],
      ['0', 'X is Y.', 'Y is X.', 'entailment'],
    ),
  });
  const r = readGlueTask(rte, 'rte');
  assert.deepEqual(r.labels, ['entailment', 'not_entailment']);
  assert.deepEqual(r.train, [{ text: 'No weapons.', textPair: 'Weapons found.', label: 1 }]);
  assert.deepEqual(r.validation, [{ text: 'X is Y.', textPair: 'Y is X.', label: 0 }]);
  const wnli = task('wnli', {
    'train.tsv': tsv(
      ['index', 'sentence1', 'sentence2', 'label'],
      ['0', 'I stuck a pin.', 'The pin had a hole.', '1'],
      ['1', 'a', 'b', '0'],
    ),
    'dev.tsv': tsv(['index', 'sentence1', 'sentence2', 'label'], ['0', 'c', 'd', '0']),
  });
  const w = readGlueTask(wnli, 'wnli');
  assert.deepEqual(w.labels, ['not_entailment', 'entailment']);
  assert.deepEqual(
    w.train.map((e) => e.label),
    [1, 0],
  );
  assert.equal(GLUE_TASKS.length, 9);
});

test('GLUE errors: missing file, missing column, unknown label, short row, missing label, bad score', () => {
  const header = ['index', 'sentence1', 'sentence2', 'label'];
  const good = tsv(header, ['0', 'a', 'b', 'entailment']);
  const noDev = task('rte-nodev', { 'train.tsv': good });
  assert.throws(() => readGlueTask(noDev, 'rte'), {
    message: `${join(noDev, 'dev.tsv')}: cannot read (no such file)`,
  });
  const col = task('rte-col', {
    'train.tsv': tsv(['index', 'premise', 'sentence2', 'label'], ['0', 'a', 'b', 'entailment']),
    'dev.tsv': good,
  });
  assert.throws(() => readGlueTask(col, 'rte'), {
    message: `${join(col, 'train.tsv')}: no text column 'sentence1' (columns found: "index", "premise", "sentence2", "label")`,
  });
  const unknown = task('rte-unknown', {
    'train.tsv': good,
    'dev.tsv': tsv(header, ['0', 'a', 'b', 'entailment'], ['1', 'a', 'b', 'neutral']),
  });
  assert.throws(() => readGlueTask(unknown, 'rte'), {
    message: `${join(unknown, 'dev.tsv')}:3: unknown label "neutral" (expected one of "entailment", "not_entailment")`,
  });
  const short = task('rte-short', { 'train.tsv': `${good}1\tonly two\n`, 'dev.tsv': good });
  assert.throws(() => readGlueTask(short, 'rte'), {
    message: `${join(short, 'train.tsv')}:3: 2 tab-separated fields, expected at least 4`,
  });
  const cola = task('cola-bad', {
    'train.tsv': tsv(['gj04', '', '', 'x']),
    'dev.tsv': tsv(['gj04', '2', '', 'y']),
  });
  assert.throws(() => readGlueTask(cola, 'cola'), {
    message: `${join(cola, 'train.tsv')}:1: missing label (column 2)`,
  });
  const cola2 = task('cola-bad2', {
    'train.tsv': tsv(['gj04', '1', '', 'x']),
    'dev.tsv': tsv(['gj04', '2', '', 'y']),
  });
  assert.throws(() => readGlueTask(cola2, 'cola'), {
    message: `${join(cola2, 'dev.tsv')}:1: unknown label "2" (expected 0 or 1)`,
  });
  const sts = [
    'index',
    'genre',
    'filename',
    'year',
    'old_index',
    'source1',
    'source2',
    'sentence1',
    'sentence2',
    'score',
  ];
  const stsb = task('stsb-bad', {
    'train.tsv': tsv(sts, ['0', 'g', 'f', 'y', 'o', 's', 's', 'a', 'b', 'high']),
    'dev.tsv': tsv(sts, ['0', 'g', 'f', 'y', 'o', 's', 's', 'a', 'b', '1']),
  });
  assert.throws(() => readGlueTask(stsb, 'stsb'), {
    message: `${join(stsb, 'train.tsv')}:2: score "high" is not a number`,
  });
  assert.throws(() => readGlueTask(tmp.dir, 'squad' as never), /unknown task 'squad'/);
});
