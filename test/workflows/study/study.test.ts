/**
 * runStudy with an injected runner (no training): it resumes without
 * repeating a finished run, its choices never depend on the test split, and
 * its report (JSON, markdown, SVG) has the expected shape and figures.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Example, TaskData } from '../../../src/data/types.js';
import type { BenchRunResult } from '../../../src/workflows/bench.js';
import type { RunSpec, StudySettings } from '../../../src/workflows/study/plan.js';
import type { StudyResults } from '../../../src/workflows/study/results.js';
import { type RunHooks, runStudy, type StudyRunner } from '../../../src/workflows/study.js';
import { tempRoot } from '../../helpers/temp-dir.js';

const root = tempRoot('edora-study-');
let dirs = 0;
const freshDir = (): string => join(root, `s${dirs++}`);

const examples = (labels: number[]): Example[] =>
  labels.map((label, i) => ({ text: `text ${i}`, label }));

/** Validation mostly 1s; test mostly 0s (so what wins on test loses on validation). */
function fakeTask(name: string, testLabels = [0, 0, 0, 1]): TaskData {
  return {
    name,
    labels: ['a', 'b'],
    metric: 'accuracy',
    train: examples([0, 1, 0, 1]),
    validation: examples([1, 1, 1, 0]),
    test: examples(testLabels),
    description: 'fake',
  };
}

const accuracy = (split: readonly Example[], predicted: number): number =>
  split.filter((e) => e.label === predicted).length / split.length;

/** EDoRA's test advantage per seed: the differences of the worked example in statistics.test.ts. */
const EDORA_GAIN: Record<number, number> = { 1: 0.05, 2: 0.02, 3: 0.02 };

/**
 * A stand-in for training: a learning rate above 5e-3 "learns" to predict
 * class 1, a smaller one class 0; the seed and head rate nudge the figures so
 * that statistics have something to average. The figures come from the data
 * it is given, so changing the test labels changes the test figures.
 */
function fakeRunner(log: RunSpec[] = []): StudyRunner {
  return async (data, spec, hooks: RunHooks): Promise<BenchRunResult> => {
    log.push(spec);
    hooks.onProgress?.(1, 1);
    const predicted = spec.lr > 5e-3 ? 1 : 0;
    const nudge = spec.seed * 0.01 + (spec.headLr ?? 0);
    const validation = accuracy(data.validation, predicted) - nudge / 10;
    const gain = spec.method === 'edora' ? (EDORA_GAIN[spec.seed] ?? 0) : 0;
    return {
      trainable: spec.method === 'lora' ? 4000 : spec.method === 'probe' ? 50 : 100 * (spec.r ?? 1),
      metric: data.metric,
      test: accuracy(data.test, predicted) - nudge + gain,
      validation,
      history: [
        { epoch: 0, step: 1, trainLoss: 1, metrics: { accuracy: validation - 0.1 } },
        { epoch: 1, step: 2, trainLoss: 0.5, metrics: { accuracy: validation } },
      ],
      interrupted: false,
      seconds: 0,
    };
  };
}

function settings(over: Partial<StudySettings> = {}): StudySettings {
  return {
    tasks: ['t1'],
    methods: ['edora', 'lora', 'probe'],
    seeds: [1, 2, 3],
    selectSeeds: 1,
    ranks: [2],
    lrGrid: { edora: [1e-3, 1e-2], lora: [1e-3, 1e-2], probe: [1e-1] },
    headLrGrid: { edora: [0], lora: [0] },
    maxGradNorm: { edora: 0, lora: 1, probe: 1 },
    budget: {
      epochs: 1,
      probeEpochs: 2,
      batchSize: 2,
      alpha: 16,
      maxTrain: 4,
      maxEval: 4,
      earlyStopping: null,
    },
    ...over,
  };
}

/** edora and lora: 2 grid points on seed 1, then seeds 2 and 3; probe: 1 point, 3 seeds. */
const TOTAL = 2 * (2 + 2) + 3;

test('an interrupted study resumes without repeating any finished run', async () => {
  const out = freshDir();
  const s = settings();
  const first: RunSpec[] = [];
  let stop = false;
  // Ctrl-C arrives during the fifth run: the runner sees it and returns a cut-short run.
  const stopping: StudyRunner = async (data, spec, hooks) => {
    const r = await fakeRunner(first)(data, spec, hooks);
    if (first.length === 5) {
      stop = true;
      return { ...r, interrupted: hooks.shouldStop?.() ?? false };
    }
    return r;
  };
  const a = await runStudy({
    settings: s,
    out,
    loadTask: (name) => fakeTask(name),
    runner: stopping,
    shouldStop: () => stop,
  });
  assert.equal(a.complete, false);
  assert.equal(a.total, TOTAL);
  assert.equal(a.performed, 4, 'the cut-short fifth run is not a result');
  assert.equal(readdirSync(join(out, 'runs')).length, 4);
  assert.ok(!existsSync(join(out, 'report')), 'no report for an unfinished study');

  const second: RunSpec[] = [];
  let announced: [number, number] | null = null;
  const b = await runStudy({
    settings: s,
    out,
    loadTask: (name) => fakeTask(name),
    runner: fakeRunner(second),
    onStart: (total, finished) => {
      announced = [total, finished];
    },
  });
  assert.deepEqual(announced, [TOTAL, 4]);
  assert.equal(b.complete, true);
  assert.equal(b.reused, 4);
  assert.equal(b.performed, TOTAL - 4);
  assert.equal(second.length, TOTAL - 4);
  const key = (r: RunSpec): string => JSON.stringify(r);
  const done = new Set(first.slice(0, 4).map(key));
  assert.ok(
    second.every((r) => !done.has(key(r))),
    'a run finished before the interruption ran again',
  );
  assert.ok(
    second.some((r) => key(r) === key(first[4]!)),
    'the interrupted run starts again from scratch',
  );
  assert.equal(new Set([...first.slice(0, 4), ...second].map(key)).size, TOTAL);

  // Once more: nothing to do, the same report.
  const third: RunSpec[] = [];
  const c = await runStudy({
    settings: s,
    out,
    loadTask: () => {
      throw new Error('no run should need the data');
    },
    runner: fakeRunner(third),
  });
  assert.equal(third.length, 0);
  assert.equal(c.performed, 0);
  assert.deepEqual(c.results, b.results);
});

test('extending the seeds reuses the search and the runs already done', async () => {
  const out = freshDir();
  await runStudy({
    settings: settings(),
    out,
    loadTask: (name) => fakeTask(name),
    runner: fakeRunner(),
  });
  const more: RunSpec[] = [];
  const r = await runStudy({
    settings: settings({ seeds: [1, 2, 3, 4, 5] }),
    out,
    loadTask: (name) => fakeTask(name),
    runner: fakeRunner(more),
  });
  assert.deepEqual(
    more.map((m) => m.seed),
    [4, 5, 4, 5, 4, 5],
    'only the new seeds of the chosen settings run',
  );
  assert.equal(r.results!.cells[0]!.test.n, 5);
});

test('the chosen settings never depend on the test split', async () => {
  const study = async (testLabels: number[]) => {
    const seen: { spec: RunSpec; test: number }[] = [];
    const runner: StudyRunner = async (data, spec, hooks) => {
      const r = await fakeRunner()(data, spec, hooks);
      seen.push({ spec, test: r.test });
      return r;
    };
    const r = await runStudy({
      settings: settings(),
      out: freshDir(),
      loadTask: (name) => fakeTask(name, testLabels),
      runner,
    });
    return { results: r.results!, seen };
  };
  const a = await study([0, 0, 0, 1]);
  const b = await study([1, 1, 1, 0]);
  const chosen = (r: StudyResults) =>
    r.cells.map((c) => ({ method: c.method, r: c.r, lr: c.chosen.lr, headLr: c.chosen.headLr }));
  assert.deepEqual(chosen(a.results), chosen(b.results));
  for (const c of a.results.cells.filter((x) => x.method !== 'probe')) {
    assert.equal(c.chosen.lr, 1e-2, `${c.method}: the validation split favours class 1`);
  }
  // The two test splits disagree on which learning rate is best on seed 1: a
  // choice made on the test split would differ between the studies, so this test can fail.
  const bestOnTest = (seen: { spec: RunSpec; test: number }[], method: string): number => {
    const searched = seen.filter((x) => x.spec.method === method && x.spec.seed === 1);
    return searched.reduce((best, x) => (x.test > best.test ? x : best)).spec.lr;
  };
  for (const method of ['edora', 'lora']) {
    assert.notEqual(bestOnTest(a.seen, method), bestOnTest(b.seen, method), method);
  }
});

test('the report: JSON, markdown and charts with one mark per method and rank', async () => {
  const out = freshDir();
  const r = await runStudy({
    settings: settings({ ranks: [2, 4] }),
    out,
    loadTask: (name) => fakeTask(name),
    runner: fakeRunner(),
  });
  const dir = join(out, 'report');
  assert.equal(r.reportDir, dir);
  assert.deepEqual(readdirSync(dir).sort(), [
    'curves-t1.svg',
    'results.json',
    'results.md',
    'tradeoff-t1.svg',
  ]);
  const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as StudyResults;
  assert.deepEqual(
    json.cells.map((c) => [c.method, c.r, c.trainable]),
    [
      ['edora', 2, 200],
      ['edora', 4, 400],
      ['lora', 2, 4000],
      ['lora', 4, 4000],
      ['probe', null, 50],
    ],
  );
  const edora = json.cells[0]!;
  assert.deepEqual(edora.chosen, { lr: 1e-2, headLr: 0 });
  assert.equal(edora.grid.length, 2);
  assert.deepEqual(
    edora.runs.map((x) => x.seed),
    [1, 2, 3],
  );
  assert.equal(edora.runs[0]!.history.length, 2, 'each run keeps its evaluation history');
  // EDoRA's test accuracy per seed: 0.25 (class 1 on test labels 0,0,0,1) − 0.01·seed + gain
  // = 0.29, 0.25, 0.24: mean 0.26, squared deviations 0.0009 + 0.0001 + 0.0004 over n − 1 = 2.
  const near = (a: number, b: number, what: string) =>
    assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);
  near(edora.test.mean, 0.26, 'test mean');
  near(edora.test.std, Math.sqrt(0.0014 / 2), 'test std');
  assert.equal(edora.test.n, 3);
  near(edora.validation.mean, 0.75 - 0.002, 'validation mean');
  // EDoRA against LoRA at each rank and against the probe at each EDoRA rank.
  assert.deepEqual(
    json.paired.map((p) => [p.r, p.against, p.againstR]),
    [
      [2, 'lora', 2],
      [2, 'probe', null],
      [4, 'lora', 4],
      [4, 'probe', null],
    ],
  );
  for (const p of json.paired) {
    near(p.meanDiff, 0.03, 'mean difference');
    near(p.t, 3, 't');
    near(p.p, 1 - 3 / Math.sqrt(11), 'p (2 degrees of freedom)');
  }

  const md = readFileSync(join(dir, 'results.md'), 'utf8');
  assert.match(md, /^## t1 \(accuracy, %\)$/m);
  assert.match(
    md,
    /^\| edora \| 2 \| 200 \| 0\.050× \| 1e-2 \| 0 \| 26\.00 ± 2\.65 \(3\) \| 74\.80 \|$/m,
  );
  assert.match(md, /^\| probe \| – \| 50 \| – \| 1e-1 \| – \| /m);
  assert.match(md, /^\| t1 \| 2 \| lora r=2 \| 3 \| \+3\.00 \| 1\.73 \| 3\.00 \| 0\.095 \|$/m);
  assert.match(md, /!\[.*\]\(tradeoff-t1\.svg\)/);
  assert.match(md, /!\[.*\]\(curves-t1\.svg\)/);

  const count = (svg: string, role: string): number =>
    svg.split(`aria-roledescription="${role}"`).length - 1;
  const tradeoff = readFileSync(join(dir, 'tradeoff-t1.svg'), 'utf8');
  assert.match(tradeoff, /^<svg/);
  assert.equal(count(tradeoff, 'point'), 5, 'one point per method and rank');
  assert.equal(count(tradeoff, 'rule mark'), 5, 'one error bar per point');
  const curves = readFileSync(join(dir, 'curves-t1.svg'), 'utf8');
  assert.equal(count(curves, 'line mark'), 5, 'one learning curve per method and rank');
  assert.equal(count(curves, 'point'), 10, 'two evaluations each');
});

test('a run that fails is kept as failed (not retried), never chosen, and left out of the figures', async () => {
  const out = freshDir();
  const log: RunSpec[] = [];
  const diverging: StudyRunner = async (data, spec, hooks) => {
    if (spec.lr > 5e-3) {
      log.push(spec);
      throw new Error('train: the gradient norm is NaN at step 1');
    }
    return fakeRunner(log)(data, spec, hooks);
  };
  const s = settings({ methods: ['edora'] });
  const r = await runStudy({
    settings: s,
    out,
    loadTask: (name) => fakeTask(name),
    runner: diverging,
  });
  const cell = r.results!.cells[0]!;
  assert.equal(cell.chosen.lr, 1e-3, 'the diverging rate is not chosen');
  assert.ok(Number.isNaN(cell.grid[1]!.validation));
  assert.equal(cell.test.n, 3);
  assert.match(readFileSync(join(out, 'report', 'results.md'), 'utf8'), /\| 1e-2 \| 0 \| – \|/);
  const again: RunSpec[] = [];
  await runStudy({
    settings: s,
    out,
    loadTask: (name) => fakeTask(name),
    runner: fakeRunner(again),
  });
  assert.equal(again.length, 0, 'the failed run is a result of the search, not redone');
});

test('a directory that is not a study is refused, and left as it was', async () => {
  const out = freshDir();
  await runStudy({
    settings: settings({ methods: ['probe'] }),
    out,
    loadTask: (n) => fakeTask(n),
    runner: fakeRunner(),
  });
  const other = freshDir();
  rmSync(other, { recursive: true, force: true });
  mkdirSync(other);
  writeFileSync(join(other, 'notes.txt'), 'mine');
  await assert.rejects(
    runStudy({
      settings: settings(),
      out: other,
      loadTask: (n) => fakeTask(n),
      runner: fakeRunner(),
    }),
    /not a study directory/,
  );
  assert.deepEqual(readdirSync(other), ['notes.txt']);
});
