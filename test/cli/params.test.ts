import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const run = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/edora.js', ...args], { encoding: 'utf8' });

test('edora params reproduces the paper counts for RoBERTa-base (r = 16, α = 16, head excluded)', () => {
  const p = run(
    'params',
    '--model',
    'test/fixtures/configs/roberta-base.json',
    '--r',
    '16',
    '--json',
  );
  assert.equal(p.status, 0, p.stderr);
  const rows = JSON.parse(p.stdout).rows as {
    method: string;
    trainable: number;
    modules: number;
  }[];
  const by = Object.fromEntries(rows.map((r) => [r.method, r]));
  // DESIGN.md / arXiv 2501.12067: 48 adapted modules.
  assert.equal(by['edora']!.trainable, 49_152);
  assert.equal(by['lora']!.trainable, 1_622_016);
  assert.equal(by['dora']!.trainable, 1_658_880);
  assert.equal(by['edora']!.modules, 48);
});

test('edora params prints r ∈ {4, 8, 16, 32} by default', () => {
  const p = run(
    'params',
    '--model',
    'test/fixtures/configs/roberta-base.json',
    '--method',
    'edora',
  );
  assert.equal(p.status, 0, p.stderr);
  for (const [r, n] of [
    [4, '37,632'],
    [8, '39,936'],
    [16, '49,152'],
    [32, '86,016'],
  ] as const) {
    assert.match(p.stdout, new RegExp(`edora\\s+${r}\\s+48\\s+${n}`));
  }
});

test('bad input: one line, exit code 2', () => {
  for (const args of [
    ['params', '--model', 'no/such/dir'],
    ['params', '--model', 'test/fixtures/configs/roberta-base.json', '--method', 'vera'],
    ['params', '--model', 'test/fixtures/configs/roberta-base.json', '--r', 'x'],
    ['params', '--model', 'test/fixtures/configs/roberta-base.json', '--r', '1000'],
    ['params', '--model', 'package.json'],
  ]) {
    const p = run(...args);
    assert.equal(p.status, 2, `${args.join(' ')}: ${p.stderr}`);
    assert.equal(p.stderr.trim().split('\n').length, 1, p.stderr);
    assert.match(p.stderr, /^edora: /);
  }
});
