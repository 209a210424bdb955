/**
 * The GEMM probe's cache: where it lives, that it is written once and reused,
 * and that a corrupt, foreign or unwritable cache only costs a new probe.
 * The probe is a fake that counts its runs (no timing here).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gemmCacheFile, readCachedProbe } from '../../src/backend/gemm-cache.js';
import type { GemmProbe } from '../../src/backend/gemm-probe.js';
import { cachedGemmProbe } from '../../src/backend/gemm-select.js';

const root = mkdtempSync(join(tmpdir(), 'edora-gemm-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => mkdtempSync(join(root, `${dirs++}-`));

const FIGURES: GemmProbe = {
  blas: { square: 75, skinny: 20 },
  builtin: { square: 184, skinny: 41 },
};

/** A fake probe that returns `figures` and counts its runs. */
function fakeProbe(figures: GemmProbe = FIGURES) {
  const probe = () => {
    probe.runs++;
    return structuredClone(figures);
  };
  probe.runs = 0;
  return probe;
}

test('the cache file: EDORA_GEMM_CACHE, else $XDG_CACHE_HOME/edora, else ~/.cache/edora', () => {
  assert.equal(gemmCacheFile({ EDORA_GEMM_CACHE: '/x/probe.json' }), '/x/probe.json');
  assert.equal(gemmCacheFile({ EDORA_GEMM_CACHE: 'off', XDG_CACHE_HOME: '/c' }), null);
  assert.equal(gemmCacheFile({ XDG_CACHE_HOME: '/c' }), '/c/edora/gemm-probe.json');
  const home = join(homedir(), '.cache', 'edora', 'gemm-probe.json');
  assert.equal(gemmCacheFile({}), home);
  assert.equal(gemmCacheFile({ XDG_CACHE_HOME: 'relative' }), home, 'the XDG spec ignores it');
  assert.equal(gemmCacheFile({ EDORA_GEMM_CACHE: '' }), home);
});

test('the probe runs once: its figures are written, then read back instead of probing again', () => {
  const file = join(freshDir(), 'sub', 'gemm-probe.json'); // the directory is created
  const probe = fakeProbe();
  const first = cachedGemmProbe(file, 'machine A', probe);
  assert.deepEqual(first, { probe: FIGURES, source: 'measured', file });
  assert.equal(probe.runs, 1);
  assert.deepEqual(readCachedProbe(file, 'machine A'), FIGURES);
  const again = cachedGemmProbe(file, 'machine A', probe);
  assert.deepEqual(again, { probe: FIGURES, source: 'cache', file });
  assert.equal(probe.runs, 1, 'read from the cache, not probed');
  // Another machine, library or addon build (another key) is probed and kept beside it.
  const other = fakeProbe({ blas: { square: 1, skinny: 2 }, builtin: { square: 3, skinny: 4 } });
  assert.equal(cachedGemmProbe(file, 'machine B', other).source, 'measured');
  assert.deepEqual(readCachedProbe(file, 'machine A'), FIGURES);
  assert.equal(readCachedProbe(file, 'machine B')?.builtin.skinny, 4);
});

test('a corrupt, foreign-version or malformed cache is ignored and rewritten', () => {
  const dir = freshDir();
  const file = join(dir, 'gemm-probe.json');
  const entry = (blas: unknown) => ({ blas, builtin: FIGURES.builtin });
  for (const content of [
    '{"version": 1, "entries": {"k": {"blas": {"square": 75,', // cut off mid-write
    'not json at all',
    'null',
    JSON.stringify({ version: 999, entries: { k: FIGURES } }),
    JSON.stringify({ version: 1, entries: [] }),
    JSON.stringify({ version: 1, entries: { k: entry({ square: -5, skinny: 20 }) } }),
    JSON.stringify({ version: 1, entries: { k: entry({ square: '75', skinny: 20 }) } }),
    JSON.stringify({ version: 1, entries: { k: entry(null) } }),
  ]) {
    writeFileSync(file, content);
    const probe = fakeProbe();
    assert.equal(cachedGemmProbe(file, 'k', probe).source, 'measured', content);
    assert.equal(probe.runs, 1, content);
    assert.deepEqual(readCachedProbe(file, 'k'), FIGURES, `rewritten after ${content}`);
  }
  assert.deepEqual(readdirSync(dir), ['gemm-probe.json'], 'no temporary files left behind');
});

test('caching off (EDORA_GEMM_CACHE=off) or an unwritable cache: probed each time, silently', () => {
  const probe = fakeProbe();
  assert.equal(cachedGemmProbe(null, 'k', probe).source, 'measured');
  assert.equal(cachedGemmProbe(null, 'k', probe).source, 'measured');
  assert.equal(probe.runs, 2);
  const dir = freshDir();
  writeFileSync(join(dir, 'a-file'), 'x');
  const unwritable = join(dir, 'a-file', 'gemm-probe.json'); // its "directory" is a file
  assert.equal(cachedGemmProbe(unwritable, 'k', probe).source, 'measured');
  assert.equal(cachedGemmProbe(unwritable, 'k', probe).source, 'measured');
  assert.equal(probe.runs, 4);
});

test('the cache keeps the 32 most recent entries', () => {
  const file = join(freshDir(), 'gemm-probe.json');
  for (let i = 0; i < 40; i++) cachedGemmProbe(file, `key ${i}`, fakeProbe());
  const entries = Object.keys(JSON.parse(readFileSync(file, 'utf8')).entries);
  assert.equal(entries.length, 32);
  assert.equal(readCachedProbe(file, 'key 7'), null);
  assert.deepEqual(readCachedProbe(file, 'key 8'), FIGURES);
  assert.deepEqual(readCachedProbe(file, 'key 39'), FIGURES);
});
