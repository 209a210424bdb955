/**
 * The README's TypeScript example runs exactly as printed: the code between
 * the api-example markers is written next to the package (so `from 'edora'`
 * resolves to this package through its exports) and run with node.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

test('the README fine-tuning example runs and prints its summary', () => {
  const readme = readFileSync('README.md', 'utf8');
  const m = /<!-- api-example[^>]*-->\s*```ts\n([\s\S]*?)```\s*<!-- \/api-example -->/.exec(readme);
  assert.ok(m, 'README has an api-example block');
  // Inside the package directory, so that the package resolves itself by name.
  const dir = mkdtempSync(join(process.cwd(), 'dist', 'readme-example-'));
  try {
    const file = join(dir, 'example.mjs');
    writeFileSync(file, m[1]!);
    const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^trainable params: [\d,]+ \|\| all params: [\d,]+ \|\| trainable%: [\d.]+$/m,
    );
    assert.match(r.stdout, /^test accuracy (0|1)\.\d{3}$/m);
    assert.ok(
      readFileSync(join(dir, 'spam-edora', 'adapter_config.json'), 'utf8').includes('"EDORA"'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
