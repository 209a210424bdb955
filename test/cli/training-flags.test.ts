/**
 * The flags that examine EDoRA's gap, end to end: --r-init-std sets σ of R's
 * initialisation, --magnitude-lr the magnitude vectors' rate (0 freezes
 * them), --clip-per-group needs clipping on; in `edora train`, `edora bench`
 * and `edora study` (where they are fixed settings, in each run's key only
 * when set). Bad values: one line naming the flag, exit 2, nothing written.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Random, readSafetensors } from '../../src/index.js';
import { edora, ownDataFlags } from '../helpers/cli.js';
import { writeTinyCheckpoint } from '../helpers/tiny-checkpoint.js';

const root = mkdtempSync(join(tmpdir(), 'edora-flags-'));
after(() => rmSync(root, { recursive: true, force: true }));
const model = join(root, 'model');
const trainFile = join(root, 'train.jsonl');
const WORDS = ['the', 'cat', 'dog', 'runs', 'sat', 'on', 'a', 'mat'];

before(() => {
  writeTinyCheckpoint(model, { modelType: 'bert', seed: 1 });
  const rng = new Random(3);
  const line = (): string => {
    const words = Array.from({ length: 3 + rng.int(4) }, () => WORDS[rng.int(WORDS.length)]!);
    return JSON.stringify({ text: words.join(' '), label: words.includes('cat') ? 'pos' : 'neg' });
  };
  writeFileSync(trainFile, `${Array.from({ length: 32 }, line).join('\n')}\n`);
});

const train = (out: string, ...extra: string[]) => {
  const r = edora(
    'train',
    ...ownDataFlags(model, trainFile),
    '--r',
    '2',
    '--batch-size',
    '8',
    '--lr',
    '1e-2',
    '--seed',
    '7',
    '--out',
    out,
    '--json',
    ...extra,
  );
  assert.equal(r.status, 0, r.stderr);
  return readSafetensors(join(out, 'adapter', 'adapter_model.safetensors')).tensors;
};
const values = (tensors: Map<string, { toArray(): number[] }>, suffix: string): number[] =>
  [...tensors]
    .filter(([k]) => k.endsWith(suffix))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([, t]) => t.toArray());
const rms = (xs: number[]): number => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);

test('train --r-init-std: R starts with that σ, recorded in adapter_config.json', () => {
  const fresh = train(join(root, 'sigma-default'), '--max-steps', '0');
  const out = join(root, 'sigma');
  const wide = train(out, '--max-steps', '0', '--r-init-std', '1e-2');
  const r0 = values(fresh, 'lora_R.weight');
  const r1 = values(wide, 'lora_R.weight');
  assert.ok(r1.length >= 16, `${r1.length} values of R`);
  // The same draws, scaled: σ 1e-2 against the default 1e-5.
  r1.forEach((x, i) => {
    assert.ok(Math.abs(x - r0[i]! * 1e3) <= 1e-4 * Math.abs(x) + 1e-12, `${x} vs ${r0[i]}`);
  });
  assert.ok(rms(r1) > 5e-3 && rms(r1) < 2e-2, `rms ${rms(r1)}`);
  const config = JSON.parse(readFileSync(join(out, 'adapter', 'adapter_config.json'), 'utf8'));
  assert.equal(config.edora.r_init_std, 1e-2);
});

test('train --magnitude-lr 0: the magnitude vectors stay as initialised while R trains', () => {
  const fresh = train(join(root, 'm-fresh'), '--max-steps', '0');
  const frozen = train(join(root, 'm-frozen'), '--max-steps', '3', '--magnitude-lr', '0');
  const moving = train(join(root, 'm-moving'), '--max-steps', '3');
  const m = 'lora_magnitude_vector';
  assert.ok(values(fresh, m).length > 0);
  assert.deepEqual(values(frozen, m), values(fresh, m));
  assert.notDeepEqual(values(moving, m), values(fresh, m));
  assert.notDeepEqual(values(frozen, 'lora_R.weight'), values(fresh, 'lora_R.weight'));
});

test('train: bad values and flags that cannot apply get one line, exit 2, nothing written', () => {
  const cases: [string[], RegExp][] = [
    [['--r-init-std', '-1'], /--r-init-std must be a non-negative number, got '-1'/],
    [['--r-init-std', 'wide'], /--r-init-std must be a non-negative number/],
    [['--method', 'lora', '--r-init-std', '1e-3'], /--r-init-std: only lora-xs and edora .*lora/],
    [['--magnitude-lr', 'fast'], /--magnitude-lr must be a non-negative number/],
    [['--method', 'lora-xs', '--magnitude-lr', '1e-3'], /--magnitude-lr: only dora and edora/],
    [['--clip-per-group'], /--clip-per-group: edora is not clipped.*--max-grad-norm/],
    [['--clip-per-group', '--max-grad-norm', '0'], /--clip-per-group: edora is not clipped/],
  ];
  for (const [extra, message] of cases) {
    const out = join(root, 'never');
    const r = edora('train', '--model', model, '--train', trainFile, '--out', out, ...extra);
    assert.equal(r.status, 2, `${extra.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(existsSync(out), false, `${extra.join(' ')} wrote ${out}`);
  }
});

const SMALL = ['--tasks', 'spam', '--max-train', '16', '--max-eval', '16', '--epochs', '1'];

test('bench: the flags reach the runs and the JSON settings; bad ones are refused', () => {
  const r = edora(
    'bench',
    ...SMALL,
    '--methods',
    'edora',
    '--r',
    '2',
    '--r-init-std',
    '1e-3',
    '--magnitude-lr',
    '1e-3',
    '--max-grad-norm',
    '1',
    '--clip-per-group',
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  const { settings } = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.deepEqual(
    [settings.rInitStd, settings.magnitudeLr, settings.clipPerGroup, settings.maxGradNorm.edora],
    [1e-3, 1e-3, true, 1],
  );
  const cases: [string[], RegExp][] = [
    [['--methods', 'lora,probe', '--r-init-std', '1e-3'], /--r-init-std: only lora-xs and edora/],
    [['--methods', 'lora', '--magnitude-lr', '1e-3'], /--magnitude-lr: only dora and edora/],
    [['--methods', 'lora,edora', '--clip-per-group'], /--clip-per-group: edora is not clipped/],
    [['--magnitude-lr', '-2'], /--magnitude-lr must be a non-negative number/],
  ];
  for (const [extra, message] of cases) {
    const bad = edora('bench', ...SMALL, ...extra);
    assert.equal(bad.status, 2, `${extra.join(' ')}: ${bad.stderr}`);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, message);
  }
});

test('study: fixed settings for every run, in each run key only when set; bad ones are refused', () => {
  const study = (out: string, ...extra: string[]) => {
    const r = edora(
      'study',
      ...SMALL,
      '--methods',
      'edora',
      '--seeds',
      '1',
      '--ranks',
      '2',
      '--lr-grid',
      'edora=1e-2',
      '--out',
      out,
      '--json',
      ...extra,
    );
    assert.equal(r.status, 0, r.stderr);
    const runs = readdirSync(join(out, 'runs'));
    assert.equal(runs.length, 1);
    return JSON.parse(readFileSync(join(out, 'runs', runs[0]!), 'utf8'));
  };
  const plain = study(join(root, 'study-plain'));
  assert.equal('rInitStd' in plain.spec || 'magnitudeLr' in plain.spec, false);
  assert.equal('clipPerGroup' in plain.spec, false);
  const set = study(
    join(root, 'study-set'),
    '--r-init-std',
    '1e-3',
    '--magnitude-lr',
    '0',
    '--max-grad-norm',
    '1',
    '--clip-per-group',
  );
  assert.deepEqual(set.spec, {
    ...plain.spec,
    maxGradNorm: 1,
    clipPerGroup: true,
    rInitStd: 1e-3,
    magnitudeLr: 0,
  });
  // The settings reached the training: another run, another loss.
  assert.notEqual(set.history[0].trainLoss, plain.history[0].trainLoss);
  const cases: [string[], RegExp][] = [
    [['--r-init-std', 'x'], /--r-init-std must be a non-negative number/],
    [['--methods', 'lora', '--lr-grid', '1e-3', '--magnitude-lr', '1e-3'], /--magnitude-lr: only/],
    [['--clip-per-group'], /--clip-per-group: edora is not clipped/],
    [['--max-grad-norm', 'big'], /--max-grad-norm must be a non-negative number/],
  ];
  for (const [extra, message] of cases) {
    const out = join(root, 'never');
    const bad = edora('study', ...SMALL, '--methods', 'edora', '--out', out, ...extra);
    assert.equal(bad.status, 2, `${extra.join(' ')}: ${bad.stderr}`);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, message);
    assert.equal(existsSync(out), false);
  }
});
