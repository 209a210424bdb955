/**
 * The kernel parity suite again under the other code paths the addon picks
 * at run time: the AVX2 and generic micro-kernels and skinny kernels
 * (EDORA_SIMD caps the level), and one thread (the serial GEMM paths). The
 * default run covers the widest SIMD level and the thread pool.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { skipNative } from '../helpers/native.js';

const suite = path.join(path.dirname(fileURLToPath(import.meta.url)), 'parity-kernels.test.js');

for (const env of [{ EDORA_SIMD: 'avx2' }, { EDORA_SIMD: 'generic' }, { EDORA_THREADS: '1' }]) {
  const label = Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  test(`native kernels agree with the js reference under ${label}`, { skip: skipNative }, () => {
    // Without NODE_TEST_CONTEXT the child reports in plain TAP, not to this runner.
    const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
    const p = spawnSync(process.execPath, [suite], {
      encoding: 'utf8',
      env: { ...inherited, ...env },
    });
    const failed = p.stdout.split('\n').filter((l) => /^\s*not ok|error:/.test(l));
    assert.equal(p.status, 0, `${label}:\n${failed.join('\n')}\n${p.stderr}`);
    assert.match(p.stdout, /^# pass [1-9]/m);
    assert.match(p.stdout, /^# fail 0$/m);
  });
}
