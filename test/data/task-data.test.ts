/**
 * loadTaskData, the library call behind the data flags of `edora train`,
 * `eval` and `bench`, used here without the CLI.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadTaskData } from '../../src/index.js';
import { tempRoot } from '../helpers/temp-dir.js';

const dir = tempRoot('edora-task-data-');

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const rows = Array.from({ length: 10 }, (_, i) => ({
  sentence: `text ${i}`,
  other: `pair ${i}`,
  y: i % 3 === 0 ? 'pos' : 'neg',
}));
const trainFile = file('train.jsonl', rows.map((r) => JSON.stringify(r)).join('\n'));
const validFile = file('valid.csv', 'sentence,other,y\nv one,p one,pos\nv two,p two,neg\n');

test('your own files: fields, one label map for every split, the metric, subsampling', () => {
  const data = loadTaskData({
    train: trainFile,
    validation: validFile,
    text: 'sentence',
    textPair: 'other',
    label: 'y',
    metric: 'f1',
  });
  assert.equal(data.name, trainFile);
  assert.deepEqual(data.labels, ['neg', 'pos']);
  assert.equal(data.metric, 'f1');
  assert.equal(data.train.length, 10);
  assert.deepEqual(data.train[3], { text: 'text 3', textPair: 'pair 3', label: 1 });
  assert.deepEqual(
    data.validation.map((e) => [e.text, e.textPair, e.label]),
    [
      ['v one', 'p one', 1],
      ['v two', 'p two', 0],
    ],
  );
  assert.deepEqual(data.test, []);

  const small = loadTaskData({
    train: trainFile,
    validation: validFile,
    text: 'sentence',
    label: 'y',
    maxTrain: 4,
    maxEval: 1,
  });
  assert.equal(small.train.length, 4);
  assert.equal(small.validation.length, 1);
  // A subsample in the file's order, the same on every call.
  const kept = small.train.map((e) => Number(e.text.split(' ')[1]));
  assert.deepEqual(
    kept,
    [...kept].sort((a, b) => a - b),
  );
  assert.deepEqual(
    loadTaskData({ train: trainFile, text: 'sentence', label: 'y', maxTrain: 4 }).train,
    small.train,
  );
});

test('a built-in task, cut to size per split', () => {
  const data = loadTaskData({ task: 'spam', maxTrain: 6, maxEval: 3 });
  assert.equal(data.name, 'spam');
  assert.equal(data.train.length, 6);
  assert.equal(data.validation.length, 3);
  assert.equal(data.test.length, 3);
});

test('bad combinations and values: one clear line each', () => {
  assert.throws(
    () => loadTaskData({ validation: validFile }),
    /--validation and --test need --train/,
  );
  assert.throws(
    () => loadTaskData({ train: trainFile, task: 'spam' }),
    /--train cannot be combined with --task or --glue/,
  );
  assert.throws(() => loadTaskData({ glue: dir }), /--glue needs --task with a GLUE task name/);
  assert.throws(
    () => loadTaskData({ task: 'nosuch' }),
    /--task: unknown built-in task 'nosuch' \(expected spam, /,
  );
  assert.throws(
    () => loadTaskData({ train: file('data.txt', 'x') }),
    /data\.txt: expected a \.csv or \.jsonl file/,
  );
  assert.throws(
    () => loadTaskData({ train: trainFile, text: 'sentence', label: 'y', metric: 'auc' }),
    /--metric must be accuracy, f1 or mcc, got 'auc'/,
  );
});
