import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

// The GEMM probe's cache goes to a scratch directory, not the user's ~/.cache.
const scratch = mkdtempSync(join(tmpdir(), 'edora-doctor-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let caches = 0;
const freshCache = () => join(scratch, `gemm-probe-${caches++}.json`);
const sharedCache = freshCache();

const run = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, ['bin/edora.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, EDORA_GEMM_CACHE: sharedCache, ...env },
  });
const doctorJson = (env: Record<string, string> = {}) => {
  const p = run(env, 'doctor', '--json');
  assert.equal(p.status, 0, p.stderr);
  return JSON.parse(p.stdout);
};

// CI installs OpenBLAS and sets EDORA_EXPECT_BLAS=1: there, a BLAS that does
// not load is a failure, not a quiet fallback to the builtin GEMM.
const expectBlas = process.env['EDORA_EXPECT_BLAS'] === '1';
const noBlasHere = (r: { blasError: string | null }) => {
  if (expectBlas) assert.equal(r.blasError, null, 'EDORA_EXPECT_BLAS=1 but no BLAS loaded');
  return r.blasError !== null;
};

test('edora doctor reports the backend, BLAS, threads, cores and a GEMM probe', () => {
  const r = doctorJson();
  assert.equal(r.backend, 'native');
  assert.ok(r.gemm === 'blas' || r.gemm === 'builtin');
  assert.ok(r.threads >= 1 && r.cores >= 1);
  // Counts, not times: the probe ran at least once and reports a rate from its runs.
  assert.ok(r.probe.runs >= 1 && r.probe.gflops > 0, JSON.stringify(r.probe));
  if (expectBlas) {
    assert.notEqual(r.blasLibrary, null, 'EDORA_EXPECT_BLAS=1 but no BLAS library loaded');
    assert.equal(r.blasError, null);
  }
  const text = run({}, 'doctor');
  assert.match(text.stdout, /^backend\s+native/m);
  assert.match(text.stdout, /^probe\s+1024x1024x1024 sgemm: [\d.]+ GFLOP\/s/m);
});

test('with a BLAS, doctor shows both GEMMs’ probe figures and whether they came from the cache', (t) => {
  const file = freshCache();
  const r = doctorJson({ EDORA_GEMM_CACHE: file });
  if (noBlasHere(r)) return t.skip(`no BLAS here: ${r.blasError}`);
  const p = r.gemmProbe;
  assert.deepEqual(p.shapes, { square: '1024×1024×1024', skinny: '2048×768×16 nt' });
  for (const kind of ['blas', 'builtin']) {
    for (const shape of ['square', 'skinny']) assert.ok(p[kind][shape] > 0, `${kind} ${shape}`);
  }
  assert.equal(p.source, 'measured');
  assert.equal(p.cacheFile, file);
  assert.ok(existsSync(file));
  // The next process reads the same figures back instead of probing.
  const text = run({ EDORA_GEMM_CACHE: file }, 'doctor').stdout;
  const f = (x: number) => x.toFixed(1);
  const choice =
    `1024×1024×1024: builtin ${f(p.builtin.square)}, BLAS ${f(p.blas.square)} GFLOP/s; ` +
    `2048×768×16 nt: builtin ${f(p.builtin.skinny)}, BLAS ${f(p.blas.skinny)} (cached in ${file})`;
  assert.match(text, /^choice\s+/m);
  assert.equal(text.match(/^choice\s+(.*)$/m)?.[1], choice);
  // (A corrupt, unwritable or disabled cache: test/backend/gemm-cache.test.ts.)
});

test('without the addon: one warning line, and everything runs on the js backend', () => {
  const p = run({ EDORA_ADDON: 'none' }, 'doctor', '--json');
  assert.equal(p.status, 0, p.stderr);
  assert.equal(JSON.parse(p.stdout).backend, 'js');
  assert.equal(JSON.parse(p.stdout).gemmProbe, null);
  const lines = p.stderr.trim().split('\n');
  assert.equal(lines.length, 1, p.stderr);
  assert.match(
    lines[0]!,
    /^edora: native addon unavailable \(disabled by EDORA_ADDON=none\); using the pure TypeScript backend$/,
  );
  const forced = run({ EDORA_ADDON: 'none', EDORA_BACKEND: 'native' }, 'doctor');
  assert.equal(forced.status, 2);
  assert.match(forced.stderr, /^edora: EDORA_BACKEND=native but the native addon is unavailable/);
});

test('without a BLAS library the builtin GEMM takes over, with the reason', () => {
  const r = doctorJson({ EDORA_BLAS: '/nonexistent/libblas.so' });
  assert.equal(r.gemm, 'builtin');
  assert.match(r.blasError, /nonexistent/);
  assert.equal(r.gemmReason, r.blasError);
  assert.equal(r.gemmProbe, null);
});

test('the default GEMM: never OpenBLAS kernels below the CPU (issue #10); EDORA_GEMM decides', () => {
  const r = doctorJson();
  // Haswell/Zen are OpenBLAS's AVX2 families, Prescott its SSE3 one.
  const avx2Family = /^(haswell|zen)$/i.test(String(r.blasCore));
  const sse3Family = /^prescott$/i.test(String(r.blasCore));
  if ((avx2Family && r.simd === 'avx512f') || (sse3Family && r.simd !== 'generic')) {
    assert.equal(r.gemm, 'builtin', `OpenBLAS core ${r.blasCore}, simd ${r.simd}`);
    assert.match(
      r.gemmReason,
      new RegExp(`^OpenBLAS runs its ${r.blasCore} kernels, below this ${r.simd} CPU`),
    );
  }
  const builtin = doctorJson({ EDORA_GEMM: 'builtin' });
  assert.equal(builtin.gemm, 'builtin');
  assert.equal(builtin.gemmReason, 'EDORA_GEMM=builtin');
  if (r.blasError === null) {
    const blas = doctorJson({ EDORA_GEMM: 'blas' });
    assert.equal(blas.gemm, 'blas');
    assert.equal(blas.gemmReason, 'EDORA_GEMM=blas');
  }
  const bad = run({ EDORA_GEMM: 'fast' }, 'doctor');
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trim(), "edora: EDORA_GEMM must be 'blas' or 'builtin', got 'fast'");
});

test('where the name rule has no verdict, the (cached) probe figures pick the GEMM', (t) => {
  // Nothing is below a generic CPU, so EDORA_SIMD=generic leaves the choice to the figures.
  const env = { EDORA_SIMD: 'generic', EDORA_GEMM_CACHE: freshCache() };
  const first = doctorJson(env);
  if (noBlasHere(first)) return t.skip(`no BLAS here: ${first.blasError}`);
  assert.equal(first.gemmProbe.source, 'measured');
  // Plant figures in the cache the first run wrote, each way round.
  const plant = (blas: number, builtin: number) => {
    const cache = JSON.parse(readFileSync(env.EDORA_GEMM_CACHE, 'utf8'));
    for (const entry of Object.values<Record<string, unknown>>(cache.entries)) {
      entry['blas'] = { square: blas, skinny: blas };
      entry['builtin'] = { square: builtin, skinny: builtin };
    }
    writeFileSync(env.EDORA_GEMM_CACHE, JSON.stringify(cache));
  };
  plant(1000, 1);
  const blas = doctorJson(env);
  assert.equal(blas.gemm, 'blas');
  assert.equal(blas.gemmProbe.source, 'cache');
  assert.match(
    blas.gemmReason,
    /^faster here: the BLAS 1000 GFLOP\/s against 1 for the builtin GEMM/,
  );
  plant(1, 1000);
  const builtin = doctorJson(env);
  assert.equal(builtin.gemm, 'builtin');
  assert.match(
    builtin.gemmReason,
    /^faster here: the builtin GEMM 1000 GFLOP\/s against 1 for the BLAS/,
  );
});
