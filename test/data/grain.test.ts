/**
 * `grain` from Debian's weka package (fetched by `npm run fetch:grain`). The
 * raw counts come from the ARFF files themselves, read here without the
 * project's ARFF reader.
 *
 * Without the files (a fresh clone) the tests that need them are skipped with
 * a one-line reason, so that `npm test` passes as the README says; CI fetches
 * the files and sets EDORA_REQUIRE_GRAIN=1, which turns a missing file into a
 * failure instead.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyOptions } from '../../src/data/builtin/common.js';
import { buildGrain, grainDir } from '../../src/data/builtin/grain.js';
import type { TaskData } from '../../src/data/types.js';
import { naiveBayesAccuracy } from './naive-bayes.js';
import { crossDuplicates } from './overlap.js';

const FILES = ['ReutersGrain-train.arff', 'ReutersGrain-test.arff'];
const present = FILES.every((f) => existsSync(join(grainDir(), f)));
const required = process.env['EDORA_REQUIRE_GRAIN'] === '1';
const skip =
  present || required
    ? false
    : `the weka ARFF files are not in ${grainDir()}: run \`npm run fetch:grain\``;

/** Rows of an ARFF data section and how many end with label 1 — a line-based count. */
function rawCounts(file: string): { rows: number; grain: number } {
  const text = readFileSync(file, 'latin1');
  const data = text.slice(text.indexOf('@data') + 5);
  // Every row is one quoted string followed by ,0 or ,1 at the end of a line.
  const labels = data.match(/',([01])\s*$/gm) ?? [];
  return { rows: labels.length, grain: labels.filter((l) => l.includes(',1')).length };
}

let built: TaskData | undefined;
/** Built on first use, so that a missing file fails (or skips) a test, not the whole file. */
const grain = (): TaskData => {
  built ??= applyOptions(buildGrain());
  return built;
};

test('grain: every ARFF row lands in one split (less near-duplicates), labels and metric', {
  skip,
}, () => {
  const task = grain();
  const train = rawCounts(join(grainDir(), 'ReutersGrain-train.arff'));
  const testRaw = rawCounts(join(grainDir(), 'ReutersGrain-test.arff'));
  assert.equal(task.name, 'grain');
  assert.deepEqual(task.labels, ['other', 'grain']);
  assert.equal(task.metric, 'f1');
  const n = (s: typeof task.train, c?: number) =>
    s.filter((e) => c === undefined || e.label === c).length;
  assert.ok(
    n(task.train) + n(task.validation) <= train.rows &&
      n(task.train) + n(task.validation) > 0.95 * train.rows,
  );
  assert.ok(n(task.test) <= testRaw.rows && n(task.test) > 0.9 * testRaw.rows);
  assert.ok(n(task.train, 1) + n(task.validation, 1) <= train.grain);
  for (const split of [task.train, task.validation, task.test])
    assert.ok(n(split, 1) > 0 && n(split, 0) > 0);
});

test('grain: no near-duplicates across splits, and learnable', { skip }, () => {
  const task = grain();
  assert.deepEqual(
    crossDuplicates([task.train, task.validation, task.test].map((s) => s.map((e) => e.text))),
    [],
  );
  const acc = naiveBayesAccuracy(task.train, task.test);
  assert.ok(acc > 0.9, `naive Bayes test accuracy ${acc}`);
});

test('grain without the weka files: one clear error line', () => {
  const r = spawnSync(process.execPath, ['bin/edora.js', 'train', '--task', 'grain'], {
    encoding: 'utf8',
    env: { ...process.env, EDORA_WEKA_DIR: '/nonexistent/weka' },
  });
  assert.equal(r.status, 2);
  assert.match(
    r.stderr,
    /^edora: grain: \/nonexistent\/weka\/ReutersGrain-train\.arff not found; run `npm run fetch:grain`/,
  );
});
