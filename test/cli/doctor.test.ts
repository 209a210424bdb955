import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const run = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, ['bin/edora.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });

test('edora doctor reports the backend, BLAS, threads, cores and a GEMM probe', () => {
  const p = run({}, 'doctor', '--json');
  assert.equal(p.status, 0, p.stderr);
  const r = JSON.parse(p.stdout);
  assert.equal(r.backend, 'native');
  assert.ok(r.gemm === 'blas' || r.gemm === 'builtin');
  assert.ok(r.threads >= 1 && r.cores >= 1);
  assert.ok(r.probe.gflops > 0 && r.probe.seconds >= 1);
  const text = run({}, 'doctor');
  assert.match(text.stdout, /^backend\s+native/m);
  assert.match(text.stdout, /^probe\s+1024x1024x1024 sgemm: [\d.]+ GFLOP\/s/m);
});

test('without the addon: one warning line, and everything runs on the js backend', () => {
  const p = run({ EDORA_ADDON: 'none' }, 'doctor', '--json');
  assert.equal(p.status, 0, p.stderr);
  assert.equal(JSON.parse(p.stdout).backend, 'js');
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
  const p = run({ EDORA_BLAS: '/nonexistent/libblas.so' }, 'doctor', '--json');
  assert.equal(p.status, 0, p.stderr);
  const r = JSON.parse(p.stdout);
  assert.equal(r.gemm, 'builtin');
  assert.match(r.blasError, /nonexistent/);
});

// OpenBLAS families that run AVX2/AVX-512 kernels; any other family on an
// AVX2 CPU means its CPU detection fell back (e.g. to SSE3 'Prescott').
const WIDE_OPENBLAS = ['haswell', 'zen', 'skylakex', 'cooperlake', 'sapphirerapids', 'excavator'];

test('the default GEMM: the BLAS, unless OpenBLAS runs kernels below the CPU; EDORA_GEMM decides', () => {
  const r = JSON.parse(run({}, 'doctor', '--json').stdout);
  if (r.blasError === null && r.blasCore !== null && r.simd !== 'generic') {
    const wide = WIDE_OPENBLAS.includes(String(r.blasCore).toLowerCase());
    assert.equal(r.gemm, wide ? 'blas' : 'builtin', `OpenBLAS core ${r.blasCore}, simd ${r.simd}`);
    if (!wide) assert.match(r.gemmReason, new RegExp(`OpenBLAS runs its ${r.blasCore} kernels`));
  }
  const builtin = JSON.parse(run({ EDORA_GEMM: 'builtin' }, 'doctor', '--json').stdout);
  assert.equal(builtin.gemm, 'builtin');
  assert.equal(builtin.gemmReason, 'EDORA_GEMM=builtin');
  if (r.blasError === null) {
    const blas = JSON.parse(run({ EDORA_GEMM: 'blas' }, 'doctor', '--json').stdout);
    assert.equal(blas.gemm, 'blas');
    assert.equal(blas.gemmReason, null);
  }
  const bad = run({ EDORA_GEMM: 'fast' }, 'doctor');
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trim(), "edora: EDORA_GEMM must be 'blas' or 'builtin', got 'fast'");
});
