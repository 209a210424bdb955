/**
 * Hostile inputs to the CLI: devices and pipes named as data, runaway lines,
 * output paths that cannot be created, out-of-range flags. Each is one line
 * `edora: …` naming the file or flag, exit code 2, and nothing written.
 *
 * Every run has a `timeout`: a hang (the bug some of these guard against)
 * becomes a failed assertion on the exit status instead of a stuck suite.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MAX_LINE_BYTES } from '../../src/io/input-file.js';
import { writeTinyCheckpoint } from '../helpers/tiny-checkpoint.js';

const root = mkdtempSync(join(tmpdir(), 'edora-hostile-'));
after(() => rmSync(root, { recursive: true, force: true }));
const model = join(root, 'model');
const trainFile = join(root, 'train.jsonl');
const linux = platform() === 'linux' && existsSync('/dev/zero');

before(() => {
  writeTinyCheckpoint(model, { modelType: 'bert', seed: 1 });
  const rows = Array.from({ length: 8 }, (_, i) =>
    JSON.stringify({ text: i % 2 ? 'the cat sat' : 'a dog runs', label: i % 2 ? 'pos' : 'neg' }),
  );
  writeFileSync(trainFile, `${rows.join('\n')}\n`);
});

function edora(...args: string[]) {
  return spawnSync(process.execPath, ['bin/edora.js', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
}

/** Exit code 2 and exactly one stderr line, matching `line`. */
function refused(r: ReturnType<typeof edora>, line: RegExp): void {
  assert.equal(r.status, 2, `status ${r.status} (signal ${r.signal}): ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr.trim(), line);
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const train = (...extra: string[]) =>
  edora('train', '--model', model, '--r', '2', '--batch-size', '4', '--max-steps', '1', ...extra);

test('a device named as training data is refused before it is read', { skip: !linux }, () => {
  const zero = join(root, 'zero.csv');
  symlinkSync('/dev/zero', zero);
  refused(
    train('--train', zero),
    new RegExp(`^edora: ${esc(zero)}: not a regular file \\(a character device\\)$`),
  );
  refused(
    train('--train', trainFile, '--validation', zero),
    new RegExp(`^edora: ${esc(zero)}: not a regular file`),
  );
});

test('embed and predict refuse a device as --input', { skip: !linux }, () => {
  const out = join(root, 'never.jsonl');
  refused(
    edora('embed', '--model', 'use-lite', '--input', '/dev/zero', '--out', out),
    /^edora: --input \/dev\/zero: not a regular file \(a character device\)$/,
  );
  refused(
    edora('predict', '--model', model, '--input', '/dev/zero', '--out', out),
    /^edora: --input \/dev\/zero: not a regular file \(a character device\)$/,
  );
  assert.equal(existsSync(out), false);
});

test('a runaway line is an error naming file and line', () => {
  const long = join(root, 'long.csv');
  writeFileSync(long, `text,label\n"${'x'.repeat(MAX_LINE_BYTES)}",a\nok,b\n`);
  refused(
    train('--train', long),
    new RegExp(`^edora: ${esc(long)}:2: line longer than 8 MiB; is this a text file\\?$`),
  );
});

test('--out where no directory can be made: one line, no hang', {
  skip: !existsSync('/proc/self') && 'no /proc here',
}, () => {
  // mkdir under /proc fails with ENOENT although the parent exists; Node's
  // recursive mkdirSync then loops forever.
  refused(
    train('--train', trainFile, '--out', '/proc/self/run'),
    /^edora: \/proc\/self\/run: cannot create the directory \(ENOENT\)$/,
  );
});

test('--warmup-ratio outside [0, 1] names the flag', () => {
  for (const v of ['5', '-0.1', 'x']) {
    refused(
      train('--train', trainFile, '--warmup-ratio', v),
      new RegExp(`^edora: --warmup-ratio must be a number in \\[0, 1\\], got '${esc(v)}'$`),
    );
  }
  assert.deepEqual(
    readdirSync(root).filter((f) => f.startsWith('.')),
    [],
  );
});
