/** makeDir (mkdir -p that names the path on failure and never loops) and output directories. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { makeDir } from '../../src/io/make-dir.js';
import { writeDirAtomic } from '../../src/io/output-dir.js';

const dir = mkdtempSync(join(tmpdir(), 'edora-mkdir-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('creates every missing level; an existing directory is fine', () => {
  const deep = join(dir, 'a', 'b', 'c');
  makeDir(deep);
  assert.ok(statSync(deep).isDirectory());
  makeDir(deep);
  makeDir(dir);
});

test('a file in the way is named', () => {
  const file = join(dir, 'file');
  writeFileSync(file, 'x');
  assert.throws(() => makeDir(join(file, 'sub')), {
    message: `${join(file, 'sub')}: cannot create the directory (${file} exists and is not a directory)`,
  });
  assert.throws(() => makeDir(file), {
    message: `${file}: cannot create the directory (${file} exists and is not a directory)`,
  });
});

test('mkdir failing with ENOENT under an existing parent (/proc/self) is one error, not a loop', {
  skip: !existsSync('/proc/self') && 'no /proc here',
}, () => {
  assert.throws(() => makeDir('/proc/self/run/x'), {
    message: '/proc/self/run/x: cannot create the directory (ENOENT)',
  });
});

test('writeDirAtomic where no directory can be made: one line naming the output', () => {
  const out = join(dir, 'missing-parent', 'out');
  assert.throws(() => writeDirAtomic(out, () => {}), {
    message: `${out}: cannot create the directory (ENOENT)`,
  });
});
