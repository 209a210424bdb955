/** --overwrite removes what an earlier run wrote, the kept checkpoint series included, and nothing else. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { removeEarlierRun } from '../../src/cli/train-output.js';
import { seriesDir } from '../../src/train/checkpoint-series.js';

const root = mkdtempSync(join(tmpdir(), 'edora-train-output-'));
after(() => rmSync(root, { recursive: true, force: true }));

test("removeEarlierRun removes the run's checkpoints/ series and keeps the user's files", () => {
  const out = join(root, 'run');
  mkdirSync(seriesDir(out, 3), { recursive: true });
  writeFileSync(join(seriesDir(out, 3), 'adapter_config.json'), '{}');
  mkdirSync(join(out, 'checkpoint'));
  writeFileSync(join(out, 'notes.txt'), 'mine');
  removeEarlierRun(out);
  assert.ok(!existsSync(join(out, 'checkpoints')));
  assert.ok(!existsSync(join(out, 'checkpoint')));
  assert.ok(existsSync(join(out, 'notes.txt')));
});
