/**
 * Ctrl-C: the first asks for a stop at the next safe point; the second ends
 * the process at once, even in the middle of a long synchronous computation,
 * where no JavaScript handler could run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const moduleUrl = new URL('../../src/cli/interrupt.js', import.meta.url).href;

test('the first Ctrl-C is noted; the second ends the process by SIGINT at once', () => {
  const script = `
    const { catchInterrupt } = await import(${JSON.stringify(moduleUrl)});
    const interrupt = catchInterrupt(() => console.log('stopping'));
    process.kill(process.pid, 'SIGINT');
    while (!interrupt.requested) await new Promise((r) => setTimeout(r, 1));
    console.log('first noted');
    // A second Ctrl-C during synchronous work: a signal a process sends
    // itself is delivered before kill() returns.
    process.kill(process.pid, 'SIGINT');
    console.log('still running');
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(r.signal, 'SIGINT', `${r.status} ${r.stdout} ${r.stderr}`);
  assert.equal(r.stdout, 'stopping\nfirst noted\n');
});

test('dispose leaves SIGINT as it found it', () => {
  const script = `
    const { catchInterrupt } = await import(${JSON.stringify(moduleUrl)});
    catchInterrupt(() => {}).dispose();
    console.log(process.listenerCount('SIGINT'));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '0\n');
});
