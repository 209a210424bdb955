/**
 * edora train end to end on a tiny BERT checkpoint: deterministic, resumable
 * after SIGKILL to exactly the same adapter, and strict about bad input.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Random, writeTinyCheckpoint } from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'edora-train-'));
after(() => rmSync(root, { recursive: true, force: true }));
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
  '--model',
  model,
  '--train',
  trainFile,
  '--validation',
  validFile,
  '--test',
  validFile,
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
});

/** Start a run and resolve once its checkpoint has reached `step`. */
function startAndWaitForStep(out: string, step: number) {
  const child = spawn(process.execPath, args(out, ['--checkpoint-every', '1']), {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += String(d);
  });
  const statePath = join(out, 'checkpoint', 'state.json');
  const ready = new Promise<void>((resolve, reject) => {
    const t0 = Date.now();
    const poll = setInterval(() => {
      let at = 0;
      try {
        at = (JSON.parse(readFileSync(statePath, 'utf8')) as { step: number }).step;
      } catch {
        // not written yet, or being replaced
      }
      if (at >= step) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - t0 > 60_000 || child.exitCode !== null) {
        clearInterval(poll);
        reject(new Error(`the run ended or stalled at step ${at}: ${stderr}`));
      }
    }, 5);
  });
  return { child, ready, stderr: () => stderr };
}

test('killed with SIGKILL mid-run and resumed: the same adapter as an uninterrupted run', async () => {
  const out = join(root, 'killed');
  // Wait until a few steps are checkpointed, then kill without warning.
  const run = startAndWaitForStep(out, 15);
  await run.ready;
  run.child.kill('SIGKILL');
  await new Promise((r) => run.child.once('exit', r));
  assert.equal(existsSync(join(out, 'report')), false, 'the run did not finish');
  const r = spawnSync(process.execPath, args(out, ['--checkpoint-every', '1', '--resume']), {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const weights = (o: string) => readFileSync(join(o, 'adapter', 'adapter_model.safetensors'));
  assert.ok(
    weights(out).equals(weights(join(root, 'a'))),
    'final adapter identical to the uninterrupted run',
  );
  const m = metricsOf(out) as { test: unknown; validation: unknown; steps: number };
  const ref = metricsOf(join(root, 'a')) as { test: unknown; validation: unknown; steps: number };
  assert.deepEqual(m.test, ref.test);
  assert.equal(m.steps, ref.steps);
});

test('Ctrl-C saves a resumable checkpoint and exits cleanly; --resume finishes the run', async () => {
  const out = join(root, 'interrupted');
  const run = startAndWaitForStep(out, 10);
  await run.ready;
  run.child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => run.child.once('exit', (c) => r(c)));
  assert.equal(code, 130, run.stderr());
  assert.match(run.stderr(), /edora train: interrupted at step \d+; continue with --resume --out /);
  const r = spawnSync(process.execPath, args(out, ['--checkpoint-every', '1', '--resume']), {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const weights = (o: string) => readFileSync(join(o, 'adapter', 'adapter_model.safetensors'));
  assert.ok(weights(out).equals(weights(join(root, 'a'))), 'same adapter as the uninterrupted run');
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
