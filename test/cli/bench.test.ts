/** edora bench (the main job) on a small budget: the table, the JSON rows, the overrides and bad input. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const bench = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/edora.js', 'bench', ...args], { encoding: 'utf8' });
const SMALL = ['--tasks', 'spam', '--max-train', '32', '--max-eval', '24', '--epochs', '1'];

test('JSON rows carry test and validation metrics per task, their averages and the ratio to LoRA', () => {
  const r = bench(...SMALL, '--methods', 'edora,lora,probe', '--probe-epochs', '2', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.bench, 'methods');
  assert.deepEqual(
    out.rows.map((row: { method: string }) => row.method),
    ['edora', 'lora', 'probe'],
  );
  const lora = out.rows[1].trainable;
  for (const row of out.rows) assert.equal(row.ratioToLora, row.trainable / lora, row.method);
  for (const row of out.rows) {
    for (const split of [row.scores, row.validation]) {
      assert.equal(split.spam.metric, 'accuracy');
      assert.ok(split.spam.value >= 0 && split.spam.value <= 1, JSON.stringify(split));
    }
    assert.equal(row.average, row.scores.spam.value);
    assert.equal(row.validationAverage, row.validation.spam.value);
  }
});

test('--lr and --max-grad-norm reach every method (recorded in the JSON); bad values get one line and exit 2', () => {
  const settingsOf = (...extra: string[]) => {
    const r = bench(...SMALL, '--methods', 'lora', '--json', ...extra);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split('\n').pop()!).settings;
  };
  const defaults = settingsOf();
  assert.equal(defaults.maxGradNorm.edora, 0);
  assert.equal(defaults.maxGradNorm.lora, 1);
  assert.equal(defaults.lr.lora, 2e-3);
  const set = settingsOf('--lr', '1e-4', '--max-grad-norm', '0.5');
  for (const m of ['lora', 'dora', 'lora-xs', 'edora']) {
    assert.equal(set.lr[m], 1e-4);
    assert.equal(set.maxGradNorm[m], 0.5);
  }
  for (const [flag, value] of [
    ['--lr', 'fast'],
    ['--max-grad-norm', '-1'],
  ] as const) {
    const r = bench(...SMALL, '--methods', 'edora', flag, value);
    assert.equal(r.status, 2, `${flag} ${value}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(flag));
  }
});
