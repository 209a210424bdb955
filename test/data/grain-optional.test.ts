/**
 * `npm test` on a fresh clone, where the grain files have not been fetched:
 * the grain tests are skipped with their reason, and fail only when
 * EDORA_REQUIRE_GRAIN=1 (as CI sets it) asks for the files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const empty = mkdtempSync(join(tmpdir(), 'edora-no-weka-'));
after(() => rmSync(empty, { recursive: true, force: true }));
const grainTests = fileURLToPath(new URL('./grain.test.js', import.meta.url));

/** Run grain.test.js on its own, its weka directory pointed at an empty folder. */
function runGrainTests(extra: Record<string, string>) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    EDORA_WEKA_DIR: empty,
    ...extra,
  };
  // Not as a subtest of this runner: a fresh, top-level run of that file.
  delete env['NODE_TEST_CONTEXT'];
  if (!('EDORA_REQUIRE_GRAIN' in extra)) delete env['EDORA_REQUIRE_GRAIN'];
  return spawnSync(process.execPath, ['--test-reporter=tap', grainTests], {
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
}

test('without the grain files: skipped with the reason, and the run passes', () => {
  const r = runGrainTests({});
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const skips = r.stdout.match(/# SKIP .*/g) ?? [];
  assert.equal(skips.length, 2, r.stdout);
  for (const s of skips) {
    assert.equal(s, `# SKIP the weka ARFF files are not in ${empty}: run \`npm run fetch:grain\``);
  }
  assert.match(r.stdout, /^# pass 1$/m);
});

test('EDORA_REQUIRE_GRAIN=1 without the files: the grain tests fail, naming the missing file', () => {
  const r = runGrainTests({ EDORA_REQUIRE_GRAIN: '1' });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^# fail 2$/m);
  assert.ok(
    r.stdout.includes(`grain: ${join(empty, 'ReutersGrain-train.arff')} not found`),
    r.stdout,
  );
});
