/**
 * The output-directory lock: one holder at a time, the holder named to the
 * others, a lock whose process died taken over, and released on exit.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LOCK_FILE, lockDir } from '../../src/io/dir-lock.js';

const root = mkdtempSync(join(tmpdir(), 'edora-lock-'));
after(() => rmSync(root, { recursive: true, force: true }));
const moduleUrl = new URL('../../src/io/dir-lock.js', import.meta.url).href;

/** Run a child that takes the lock on `dir`, then ends with `end` (JavaScript). */
function childLocks(dir: string, end: string): ReturnType<typeof spawnSync> {
  const script = `const { lockDir } = await import(${JSON.stringify(moduleUrl)}); lockDir(${JSON.stringify(dir)}); ${end}`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
}

test('a held lock refuses a second taker, naming the holder; release frees it', () => {
  const dir = join(root, 'held');
  const lock = lockDir(dir); // creates the directory
  assert.equal(lock.tookOver, null);
  const holder = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
  assert.equal(holder.pid, process.pid);
  assert.throws(
    () => lockDir(dir),
    new RegExp(`^Error: ${dir} is in use by another edora run \\(pid ${process.pid}, started `),
  );
  lock.release();
  assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  lockDir(dir).release();
});

test('a lock left by a process that died is taken over, naming it', () => {
  const dir = join(root, 'stale');
  const child = childLocks(dir, "process.kill(process.pid, 'SIGKILL');");
  assert.equal(child.signal, 'SIGKILL', String(child.stderr));
  assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, child.pid);
  const lock = lockDir(dir);
  assert.equal(lock.tookOver?.pid, child.pid);
  assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
  lock.release();
});

test('the lock goes when its process exits without releasing it', () => {
  const dir = join(root, 'exit');
  const child = childLocks(dir, 'process.exit(3);');
  assert.equal(child.status, 3, String(child.stderr));
  assert.equal(existsSync(join(dir, LOCK_FILE)), false);
});

test('a lock of another host is never taken over; release leaves a lock it no longer holds', () => {
  const dir = join(root, 'remote');
  const lock = lockDir(dir);
  // Someone removed our lock by hand and another machine took the directory.
  const other = { pid: 4194305, host: `not-${hostname()}`, started: new Date().toISOString() };
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify(other));
  lock.release();
  assert.deepEqual(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')), other);
  assert.throws(() => lockDir(dir), new RegExp(`pid 4194305 on ${other.host}`));
});
