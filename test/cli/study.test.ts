/**
 * edora study on a tiny budget: the report, resuming after Ctrl-C without
 * redoing a finished run, and one clear line (exit 2, nothing written) for
 * bad input.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const root = mkdtempSync(join(tmpdir(), 'edora-study-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

const study = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/edora.js', 'study', ...args], { encoding: 'utf8' });
/** edora: 2 learning rates on seed 1, then seed 2 (3 runs); the probe: 1 rate, 2 seeds (2 runs). */
const SMALL = [
  '--tasks',
  'spam',
  '--methods',
  'edora,probe',
  '--seeds',
  '2',
  '--lr-grid',
  'edora=1e-3,1e-2',
  '--ranks',
  '2',
  '--epochs',
  '1',
  '--probe-epochs',
  '2',
  '--max-train',
  '16',
  '--max-eval',
  '16',
];
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);

test('Ctrl-C stops after saving the finished runs; the same command continues, then redoes nothing', async () => {
  const out = join(root, 'study');
  const child = spawn(process.execPath, ['bin/edora.js', 'study', ...SMALL, '--out', out], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!sent && /^\[1\/5\]/m.test(stderr)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /run the same command to continue/);
  // One line per finished run on a stderr that is not a terminal.
  const finished = stderr.match(/^\[\d+\/5\] spam · /gm)?.length ?? 0;
  assert.ok(finished >= 1 && finished < 5, stderr);
  assert.equal(readdirSync(join(out, 'runs')).length, finished);
  assert.ok(!existsSync(join(out, 'report')), 'no report for an unfinished study');

  const a = study(...SMALL, '--out', out, '--json');
  assert.equal(a.status, 0, a.stderr);
  assert.deepEqual(lastJson(a.stdout), {
    study: out,
    complete: true,
    total: 5,
    reused: finished,
    performed: 5 - finished,
    report: join(out, 'report'),
  });
  assert.equal(a.stderr.match(/^\[\d+\/5\] spam · /gm)?.length, 5 - finished, a.stderr);
  assert.equal(readdirSync(join(out, 'runs')).length, 5);
  const report = join(out, 'report');
  for (const f of ['results.json', 'results.md', 'tradeoff-spam.svg', 'curves-spam.svg'])
    assert.ok(existsSync(join(report, f)), f);
  const results = JSON.parse(readFileSync(join(report, 'results.json'), 'utf8'));
  assert.deepEqual(
    results.cells.map((c: { method: string; r: number | null }) => [c.method, c.r]),
    [
      ['edora', 2],
      ['probe', null],
    ],
  );
  assert.deepEqual(results.settings.lrGrid.edora, [1e-3, 1e-2]);
  assert.equal(results.paired.length, 1);
  assert.equal(results.paired[0].against, 'probe');

  const b = study(...SMALL, '--out', out, '--json');
  assert.equal(b.status, 0, b.stderr);
  const again = lastJson(b.stdout);
  assert.deepEqual(
    { reused: again.reused, performed: again.performed },
    { reused: 5, performed: 0 },
  );
  assert.deepEqual(JSON.parse(readFileSync(join(report, 'results.json'), 'utf8')), results);
});

test('bad input: one line naming the flag or file, exit 2, nothing written', () => {
  const badJson = join(root, 'bad.json');
  writeFileSync(badJson, '{"lr": {"edora": [0.01, "fast"]}}');
  const notJson = join(root, 'not.json');
  writeFileSync(notJson, '{lr');
  const cases: [string[], RegExp][] = [
    [['--seeds', '0'], /--seeds/],
    [['--seeds', '1,1'], /--seeds/],
    [['--seeds', 'x'], /--seeds/],
    [['--ranks', '4,0'], /--ranks/],
    [['--methods', 'edora,nope'], /--methods.*nope/],
    [['--tasks', 'nope'], /--tasks.*nope/],
    [['--methods', 'edora,probe,edora'], /--methods.*once/],
    [['--lr-grid', 'nope=1e-3'], /--lr-grid.*nope/],
    [['--lr-grid', 'edora=fast'], /--lr-grid.*fast/],
    [['--head-lr-grid', '-1'], /--head-lr-grid/],
    [['--select-seeds', '3'], /--select-seeds/],
    [['--grid', join(root, 'missing.json')], /missing\.json/],
    [['--grid', notJson], /not\.json/],
    [['--grid', badJson], /bad\.json.*lr\.edora/],
  ];
  for (const [args, message] of cases) {
    const out = join(root, 'never');
    const r = study(...SMALL, '--out', out, ...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
    assert.ok(!existsSync(out), `${args.join(' ')} left ${out} behind`);
  }
  const noOut = study(...SMALL);
  assert.equal(noOut.status, 2);
  assert.match(noOut.stderr, /--out/);
});
