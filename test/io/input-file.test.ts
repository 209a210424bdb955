/**
 * readInputFile: user-named input files must be regular files of bounded
 * size and line length; anything else is one line naming the file (and line).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readInputFile } from '../../src/io/input-file.js';

const dir = mkdtempSync(join(tmpdir(), 'edora-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a regular file is read whole, across chunk boundaries', () => {
  const path = join(dir, 'ok.txt');
  const text = `${'a'.repeat(3000)}\n${'b'.repeat(5000)}\nlast`;
  writeFileSync(path, text);
  assert.equal(readInputFile(path, { chunkBytes: 1024 }).toString('utf8'), text);
  assert.equal(readInputFile(join(dir, 'ok.txt')).length, text.length);
});

test('devices, directories and pipes are refused without reading them', {
  skip: !existsSync('/dev/zero') && 'no /dev/zero here',
}, () => {
  assert.throws(() => readInputFile('/dev/zero'), {
    message: '/dev/zero: not a regular file (a character device)',
  });
  // Through a symbolic link with a data file's name, as `--train zero.csv` would be.
  const link = join(dir, 'zero.csv');
  symlinkSync('/dev/zero', link);
  assert.throws(() => readInputFile(link, { name: `--input ${link}` }), {
    message: `--input ${link}: not a regular file (a character device)`,
  });
  const sub = join(dir, 'sub');
  mkdirSync(sub);
  assert.throws(() => readInputFile(sub), { message: `${sub}: not a regular file (a directory)` });
  const fifo = join(dir, 'fifo');
  // Opening a pipe without a writer blocks forever unless the reader refuses it first.
  if (spawnSync('mkfifo', [fifo]).status === 0) {
    assert.throws(() => readInputFile(fifo), { message: `${fifo}: not a regular file (a pipe)` });
  }
  assert.throws(() => readInputFile(join(dir, 'absent.txt')), {
    message: `${join(dir, 'absent.txt')}: cannot read (no such file)`,
  });
});

test('a line longer than the bound is an error naming file and line', () => {
  const path = join(dir, 'long.csv');
  writeFileSync(path, `text,label\nshort,a\n${'x'.repeat(5000)},b\nafter,c\n`);
  assert.throws(() => readInputFile(path, { maxLineBytes: 4096, chunkBytes: 1000 }), {
    message: `${path}:3: line longer than 4 KiB; is this a text file?`,
  });
  // A line exactly at the bound is fine, with or without a final newline.
  const exact = join(dir, 'exact.txt');
  writeFileSync(exact, `${'y'.repeat(4096)}\n${'z'.repeat(4096)}`);
  assert.equal(readInputFile(exact, { maxLineBytes: 4096, chunkBytes: 1000 }).length, 8193);
});

test('a file larger than the bound is an error naming the file', () => {
  const path = join(dir, 'big.txt');
  writeFileSync(path, 'line\n'.repeat(1000));
  assert.throws(() => readInputFile(path, { maxBytes: 4000, chunkBytes: 512 }), {
    message: `${path}: larger than 3.9 KiB; split it into smaller files`,
  });
});

test('a file that does not know its size (/proc) is read whole, and still bounded', {
  skip: !existsSync('/proc/self/status') && 'no /proc here',
}, () => {
  // fstat says 0 bytes: the reader must grow its buffer as the data comes.
  const text = readInputFile('/proc/self/status', { chunkBytes: 64 }).toString('utf8');
  assert.match(text, /^Name:\t/);
  assert.match(text, /\nPid:\t\d+\n/);
  assert.throws(() => readInputFile('/proc/self/status', { maxBytes: 100, chunkBytes: 64 }), {
    message: '/proc/self/status: larger than 0.1 KiB; split it into smaller files',
  });
});
