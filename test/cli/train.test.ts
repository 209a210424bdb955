/**
 * edora train end to end on a tiny BERT checkpoint: deterministic, resumable
 * after SIGKILL or Ctrl-C to exactly the same adapter, careful with its output
 * directory (never mixes or deletes a user's files, one run at a time), and
 * strict about bad input.
 */
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Random } from '../../src/index.js';
import { lockDir } from '../../src/io/dir-lock.js';
import { ownDataFlags } from '../helpers/cli.js';
import { tempRoot } from '../helpers/temp-dir.js';
import { writeTinyCheckpoint } from '../helpers/tiny-checkpoint.js';

const root = tempRoot('edora-train-');
const model = join(root, 'model');
const trainFile = join(root, 'train.jsonl');
const validFile = join(root, 'valid.jsonl');
const WORDS = ['the', 'cat', 'dog', 'runs', 'sat', 'on', 'a', 'mat', 'big', 'small'];

before(() => {
  writeTinyCheckpoint(model, { modelType: 'bert', seed: 1 });
  const rng = new Random(3);
  const line = (): string => {
    const n = 3 + rng.int(6);
    const words = Array.from({ length: n }, () => WORDS[rng.int(WORDS.length)]!);
    const label = words.includes('cat') ? 'pos' : 'neg';
    return JSON.stringify({ text: words.join(' '), label });
  };
  writeFileSync(trainFile, `${Array.from({ length: 160 }, line).join('\n')}\n`);
  writeFileSync(validFile, `${Array.from({ length: 40 }, line).join('\n')}\n`);
});

const args = (out: string, extra: string[] = []): string[] => [
  'bin/edora.js',
  'train',
  ...ownDataFlags(model, trainFile, validFile),
  '--method',
  'edora',
  '--r',
  '2',
  '--epochs',
  '3',
  '--batch-size',
  '4',
  '--lr',
  '1e-2',
  '--seed',
  '7',
  '--out',
  out,
  '--json',
  ...extra,
];

function metricsOf(out: string): Record<string, unknown> {
  const m = JSON.parse(readFileSync(join(out, 'report', 'metrics.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  delete m['seconds'];
  return m;
}

test('same seed, same metrics and adapter, twice', () => {
  for (const out of ['a', 'b']) {
    const r = spawnSync(process.execPath, args(join(root, out)), { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  assert.deepEqual(metricsOf(join(root, 'b')), metricsOf(join(root, 'a')));
  const weights = (o: string) =>
    readFileSync(join(root, o, 'adapter', 'adapter_model.safetensors'));
  assert.ok(weights('a').equals(weights('b')));
  const ev = spawnSync(
    process.execPath,
    [
      'bin/edora.js',
      'eval',
      '--model',
      model,
      '--adapter',
      join(root, 'a', 'adapter'),
      '--train',
      trainFile,
      '--validation',
      validFile,
      '--test',
      validFile,
      '--json',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(ev.status, 0, ev.stderr);
  assert.deepEqual(
    JSON.parse(ev.stdout).test,
    metricsOf(join(root, 'a'))['test'],
    'edora eval reproduces the test metrics',
  );
  const report = readdirSync(join(root, 'a', 'report')).sort();
  assert.deepEqual(report, ['loss.svg', 'metric.svg', 'metrics.json', 'summary.md']);
  const svg = readFileSync(join(root, 'a', 'report', 'metric.svg'), 'utf8');
  assert.match(svg, /^<svg[\s\S]*<\/svg>$/);
  assert.match(readFileSync(join(root, 'a', 'report', 'summary.md'), 'utf8'), /^# .* · edora\n/);
  const log = readFileSync(join(root, 'a', 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(log.filter((r) => r.type === 'eval').length, 3);
  assert.equal(existsSync(join(root, 'a', 'edora.lock')), false, 'the lock is released');
});

/** The signal hook (test/helpers/signal-at.ts), preloaded into a run to stop it at an exact step. */
const HOOK = fileURLToPath(new URL('../helpers/signal-at.js', import.meta.url));

/** Run edora with the hook: `signal` is raised once the run has written text matching `on`. */
function runSignalled(
  argv: string[],
  signal: 'SIGKILL' | 'SIGINT',
  on: string,
  again?: string,
): SpawnSyncReturns<string> {
  const env = { ...process.env, EDORA_TEST_SIGNAL: signal, EDORA_TEST_SIGNAL_ON: on };
  if (again !== undefined) Object.assign(env, { EDORA_TEST_SIGNAL_AGAIN: again });
  return spawnSync(process.execPath, ['--import', HOOK, ...argv], { encoding: 'utf8', env });
}

/** The log record of optimizer step n (what the hook waits for). */
const stepRecord = (n: number): string => `"type":"step","step":${n},`;

function logOf(out: string): Record<string, unknown>[] {
  return readFileSync(join(out, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const stepsIn = (records: Record<string, unknown>[]): unknown[] =>
  records.filter((r) => r['type'] === 'step').map((r) => r['step']);

const checkpointStep = (out: string): number =>
  (JSON.parse(readFileSync(join(out, 'checkpoint', 'state.json'), 'utf8')) as { step: number })
    .step;

/** 3 epochs of 160 examples in batches of 4. */
const TOTAL_STEPS = 120;
const ALL_STEPS = Array.from({ length: TOTAL_STEPS }, (_, i) => i + 1);

/**
 * After a resume from the checkpoint of step `from`: the log holds each step
 * once, and the resumed run logged only steps from+1… (it did not start over:
 * a restart from step 0 would end with the same adapter, training being
 * deterministic).
 */
function assertResumedAfter(out: string, from: number): void {
  const log = logOf(out);
  assert.deepEqual(stepsIn(log), ALL_STEPS, 'each step logged once, in order');
  const at = log.findIndex((r) => r['type'] === 'resume');
  assert.ok(at >= 0, 'a resume record');
  assert.equal(log[at]!['step'], from);
  const resumed = stepsIn(log.slice(at));
  assert.equal(resumed[0], from + 1, 'the resumed run starts after the checkpoint');
  assert.equal(resumed.length, TOTAL_STEPS - from, 'and runs only the remaining steps');
}

const adapterWeights = (o: string): Buffer =>
  readFileSync(join(o, 'adapter', 'adapter_model.safetensors'));

test('killed with SIGKILL mid-run and resumed: only the remaining steps run, to the same adapter', () => {
  const out = join(root, 'killed');
  // Killed right after logging step 15: its checkpoint is not written yet.
  const killed = runSignalled(args(out, ['--checkpoint-every', '1']), 'SIGKILL', stepRecord(15));
  assert.equal(killed.signal, 'SIGKILL', killed.stderr);
  assert.equal(checkpointStep(out), 14);
  assert.equal(existsSync(join(out, 'report')), false, 'the run did not finish');
  const r = spawnSync(process.execPath, args(out, ['--checkpoint-every', '1', '--resume']), {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`taking over .*pid ${killed.pid}`), 'the stale lock');
  assert.ok(
    adapterWeights(out).equals(adapterWeights(join(root, 'a'))),
    'final adapter identical to the uninterrupted run',
  );
  const m = metricsOf(out) as { test: unknown; validation: unknown; steps: number };
  const ref = metricsOf(join(root, 'a')) as { test: unknown; validation: unknown; steps: number };
  assert.deepEqual(m.test, ref.test);
  assert.equal(m.steps, ref.steps);
  assertResumedAfter(out, 14);
});

test('Ctrl-C saves a resumable checkpoint and exits 130; --resume finishes the run', () => {
  const out = join(root, 'interrupted');
  const r0 = runSignalled(args(out, ['--checkpoint-every', '1']), 'SIGINT', stepRecord(10));
  assert.equal(r0.status, 130, r0.stderr);
  const at =
    /edora train: interrupted at step (\d+); the checkpoint is in (.*); continue with --resume --out (.*)\n/.exec(
      r0.stderr,
    );
  assert.ok(at, r0.stderr);
  const step = Number(at[1]);
  assert.ok(step >= 10, `stopped at step ${step}`);
  assert.equal(at[2], join(out, 'checkpoint'));
  assert.equal(at[3], out);
  assert.equal(checkpointStep(out), step);
  assert.equal(existsSync(join(out, 'edora.lock')), false, 'the lock is released');
  const r = spawnSync(process.execPath, args(out, ['--checkpoint-every', '1', '--resume']), {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(adapterWeights(out).equals(adapterWeights(join(root, 'a'))), 'same adapter');
  assertResumedAfter(out, step);
});

test('a second Ctrl-C ends the run at once; the last checkpoint stays valid and resumes', () => {
  const out = join(root, 'twice');
  // The second Ctrl-C comes once the first was acknowledged, while the stop's
  // checkpoint is being written.
  const r0 = runSignalled(
    args(out, ['--checkpoint-every', '1']),
    'SIGINT',
    stepRecord(20),
    'Ctrl-C again',
  );
  assert.equal(r0.signal, 'SIGINT', `ended by the second Ctrl-C: ${r0.status} ${r0.stderr}`);
  assert.doesNotMatch(r0.stderr, /interrupted at step/);
  const step = checkpointStep(out);
  assert.ok(step >= 20, `checkpoint at step ${step}`);
  const r = spawnSync(process.execPath, args(out, ['--checkpoint-every', '1', '--resume']), {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(adapterWeights(out).equals(adapterWeights(join(root, 'a'))), 'same adapter');
  assertResumedAfter(out, step);
});

test('Ctrl-C without --out says that no checkpoint was saved', () => {
  const argv = args(join(root, 'unused')).filter(
    (a, i, all) => a !== '--out' && all[i - 1] !== '--out',
  );
  // Raised while the model loads: the run stops at its first step.
  const r = runSignalled(argv, 'SIGINT', `${model}.config\\.json$`);
  assert.equal(r.status, 130, r.stderr);
  assert.match(
    r.stderr,
    /edora train: interrupted at step \d+; no checkpoint was saved \(run with --out DIR to make a run resumable\)/,
  );
  assert.doesNotMatch(r.stderr, /undefined/);
});

test('a non-empty --out is refused without --resume; --overwrite replaces only what edora wrote', () => {
  const out = join(root, 'mine');
  mkdirSync(join(out, 'data'), { recursive: true });
  writeFileSync(join(out, 'notes.txt'), 'keep me');
  writeFileSync(join(out, 'data', 'x.csv'), 'keep me too');
  const refused = spawnSync(process.execPath, args(out, ['--max-steps', '2']), {
    encoding: 'utf8',
  });
  assert.equal(refused.status, 2, refused.stderr);
  assert.equal(
    refused.stderr,
    `edora: ${out} is not empty: add --resume to continue it, or --overwrite to start over\n`,
  );
  assert.deepEqual(readdirSync(out).sort(), ['data', 'notes.txt']);
  for (const steps of ['3', '2']) {
    const r = spawnSync(process.execPath, args(out, ['--max-steps', steps, '--overwrite']), {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), [
      'adapter',
      'best',
      'checkpoint',
      'data',
      'log.jsonl',
      'notes.txt',
      'report',
    ]);
  }
  assert.deepEqual(stepsIn(logOf(out)), [1, 2], "the earlier run's log is gone");
  assert.equal(readFileSync(join(out, 'notes.txt'), 'utf8'), 'keep me');
  assert.equal(readFileSync(join(out, 'data', 'x.csv'), 'utf8'), 'keep me too');
});

test('two runs on one --out: the second exits 2 naming the one holding it', () => {
  const out = join(root, 'locked');
  const held = lockDir(out); // this test process plays the first run
  try {
    const r = spawnSync(process.execPath, args(out, ['--max-steps', '1']), { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`${out} is in use by another edora run \\(pid ${process.pid}`),
    );
  } finally {
    held.release();
  }
  assert.deepEqual(readdirSync(out), [], 'the refused run wrote nothing');
});

test('--resume with other settings is refused by name; --override-resume accepts and logs them', () => {
  const out = join(root, 'changed');
  cpSync(join(root, 'a'), out, { recursive: true });
  const log = readFileSync(join(out, 'log.jsonl'));
  const cases: [string[], RegExp][] = [
    [['--batch-size', '8'], /batch size 4, not 8/],
    [['--lr', '2e-2'], /learning rate 0\.01, not 0\.02/],
    [['--grad-accum', '2'], /gradient accumulation 1, not 2/],
    [['--method', 'lora'], /was trained with method edora, not lora/],
  ];
  for (const [extra, message] of cases) {
    const r = spawnSync(process.execPath, args(out, ['--resume', ...extra]), { encoding: 'utf8' });
    assert.equal(r.status, 2, `${extra.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /metadata/);
  }
  assert.ok(readFileSync(join(out, 'log.jsonl')).equals(log), 'the refused runs changed nothing');
  const r = spawnSync(
    process.execPath,
    args(out, ['--resume', '--batch-size', '8', '--override-resume']),
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /--override-resume: batch size 4 → 8/);
  const resume = logOf(out).filter((l) => l['type'] === 'resume');
  assert.deepEqual(resume.at(-1)!['overrides'], { batchSize: { checkpoint: 4, now: 8 } });
});

test('--max-steps 0 saves the freshly initialised adapter', () => {
  const out = join(root, 'fresh');
  const r = spawnSync(process.execPath, [...args(out), '--max-steps', '0'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { steps: number; history: unknown[] };
  assert.equal(summary.steps, 0);
  assert.deepEqual(summary.history, []);
  const config = JSON.parse(readFileSync(join(out, 'adapter', 'adapter_config.json'), 'utf8'));
  assert.equal(config.peft_type, 'EDORA');
  assert.ok(existsSync(join(out, 'adapter', 'adapter_model.safetensors')));
});

test('bad input: one clear line, exit code 2, nothing written', () => {
  const bad = join(root, 'bad');
  mkdirSync(bad);
  const file = (name: string, content: string | Buffer): string => {
    const p = join(bad, name);
    writeFileSync(p, content);
    return p;
  };
  const cases: [string[], RegExp][] = [
    [['--train', file('nocol.jsonl', '{"txt": "a", "label": "pos"}\n')], /nocol\.jsonl:1: .*text/],
    [
      [
        '--train',
        trainFile,
        '--validation',
        file('unknown.jsonl', '{"text": "a", "label": "maybe"}\n'),
      ],
      /unknown\.jsonl:1: .*maybe/,
    ],
    [['--train', file('empty.jsonl', '')], /empty\.jsonl.*empty/],
    [
      [
        '--train',
        file('latin1.jsonl', Buffer.from('{"text": "caf\xe9", "label": "pos"}\n', 'latin1')),
      ],
      /latin1\.jsonl:1.*UTF-8/,
    ],
    [['--train', trainFile, '--model', join(bad, 'no-model')], /no-model.*config\.json/],
    [['--train', trainFile, '--method', 'vera'], /--method: unknown method 'vera'/],
    [['--train', trainFile, '--epochs', '0'], /--epochs must be a positive integer/],
    [
      ['--train', trainFile, '--target', 'nosuch,layer'],
      /--target: no linear layer of the model matches 'nosuch,layer' \(its linear layers are named .*query/,
    ],
    [
      [
        '--train',
        file('one-class.jsonl', '{"text": "a", "label": "pos"}\n{"text": "b", "label": "pos"}\n'),
      ],
      /one-class\.jsonl: all 2 training examples have label 'pos'; a classifier needs at least two classes/,
    ],
    [['--validation', validFile], /--validation and --test need --train/],
    [
      ['--train', trainFile, '--resume', '--overwrite'],
      /--resume and --overwrite cannot be combined/,
    ],
  ];
  for (const [extra, message] of cases) {
    const out = join(root, 'never');
    const base = ['bin/edora.js', 'train', '--model', model, '--out', out];
    const r = spawnSync(process.execPath, [...base, ...extra], { encoding: 'utf8' });
    assert.equal(r.status, 2, `${extra.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(existsSync(out), false, `${extra.join(' ')} wrote ${out}`);
  }
  assert.deepEqual(readdirSync(bad).sort(), [
    'empty.jsonl',
    'latin1.jsonl',
    'nocol.jsonl',
    'one-class.jsonl',
    'unknown.jsonl',
  ]);
});

test('a run that diverges (--lr 1e39) fails naming a non-finite tensor and saves no adapter', () => {
  const out = join(root, 'diverged');
  const r = spawnSync(
    process.execPath,
    [...args(out, ['--lr', '1e39', '--warmup-ratio', '0']), '--max-steps', '1'],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /tensor '[^']+' holds (NaN|-?Infinity) at \[[\d,]*\]/);
  assert.equal(existsSync(join(out, 'adapter')), false);
  assert.equal(existsSync(join(out, 'best')), false);
});
