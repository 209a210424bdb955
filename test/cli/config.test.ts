/**
 * `--config FILE` for train and bench: keys are the long flag names
 * (kebab-case), a flag on the command line wins over the file, the file over
 * the default; an unknown key, a value of the wrong type or a file that does
 * not parse is refused in one line naming the file and the key.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parsedOptions } from '../helpers/cli-options.js';

const root = mkdtempSync(join(tmpdir(), 'edora-config-'));
after(() => rmSync(root, { recursive: true, force: true }));

let files = 0;
function file(ext: string, text: string): string {
  const path = join(root, `config-${files++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

type Opts = Record<string, unknown>;

test('precedence: a flag wins over the file, the file over the default (JSON)', async () => {
  const config = file(
    'json',
    JSON.stringify({ epochs: 7, 'grad-accum': 2, lr: 1e-3, 'keep-checkpoints': true }),
  );
  const fromFile = await parsedOptions<Opts>(['train', '--config', config]);
  assert.equal(fromFile['epochs'], '7');
  assert.equal(fromFile['gradAccum'], '2');
  assert.equal(Number(fromFile['lr']), 1e-3);
  assert.equal(fromFile['keepCheckpoints'], true);
  assert.equal(fromFile['batchSize'], '16', 'a key the file leaves out keeps its default');
  const flagWins = await parsedOptions<Opts>(['train', '--config', config, '--epochs', '5']);
  assert.equal(flagWins['epochs'], '5');
  assert.equal(flagWins['gradAccum'], '2');
  // Flags before --config win too: the order on the command line does not matter.
  const before = await parsedOptions<Opts>(['train', '--epochs', '5', '--config', config]);
  assert.equal(before['epochs'], '5');
});

test('a YAML file for bench; lists as YAML sequences', async () => {
  const config = file(
    'yaml',
    ['# a small bench', 'methods: [edora, lora]', 'max-train: 32', 'head-lr: 0.1', ''].join('\n'),
  );
  const opts = await parsedOptions<Opts>(['bench', '--config', config, '--max-train', '16']);
  assert.equal(opts['methods'], 'edora,lora');
  assert.equal(opts['maxTrain'], '16');
  assert.equal(Number(opts['headLr']), 0.1);
  assert.equal(opts['maxEval'], '300');
});

test('an unknown key is refused, naming the key and the file', async () => {
  const config = file('json', JSON.stringify({ epochs: 2, 'learning-rate': 1e-3 }));
  await assert.rejects(parsedOptions(['train', '--config', config]), (e: Error) => {
    const prefix = `${config}: unknown key 'learning-rate' (expected a flag name of edora train: `;
    assert.ok(e.message.startsWith(prefix), e.message);
    assert.match(e.message, /\bgrad-accum\b/);
    assert.doesNotMatch(e.message, /[:,] config[,)]|\n/, 'config names no further file');
    return true;
  });
  // camelCase: the kebab-case name is suggested.
  const camel = file('json', JSON.stringify({ gradAccum: 2 }));
  await assert.rejects(
    parsedOptions(['train', '--config', camel]),
    new RegExp(`^Error: ${camel}: unknown key 'gradAccum' \\(did you mean 'grad-accum'\\?\\)$`),
  );
  // The file cannot name another file of settings.
  const nested = file('json', JSON.stringify({ config: 'other.json' }));
  await assert.rejects(parsedOptions(['bench', '--config', nested]), /unknown key 'config'/);
});

test('a value of the wrong type is refused, naming the key and the file', async () => {
  for (const [settings, expected] of [
    [{ epochs: true }, "'epochs' must be a number or a string, got true"],
    [{ epochs: [1, 2] }, "'epochs' must be a number or a string, got [1,2]"],
    [{ lr: null }, "'lr' must be a number or a string, got null"],
    [{ resume: 'yes' }, '\'resume\' is a switch: true or false, got "yes"'],
    [{ target: { a: 1 } }, '\'target\' must be a string or a list, got {"a":1}'],
  ] as const) {
    const config = file('json', JSON.stringify(settings));
    await assert.rejects(parsedOptions(['train', '--config', config]), (e: Error) => {
      assert.equal(e.message, `${config}: ${expected}`);
      return true;
    });
  }
});

test('a file that does not parse, is not a mapping, or is missing: one line naming it', async () => {
  const cases: [string, RegExp][] = [
    [file('json', '{"epochs": 2,'), /: not valid JSON \(/],
    [file('yaml', 'epochs: [2\nlr: 1e-3\n'), /: not valid YAML \(/],
    [file('yml', 'epochs: 2\nepochs: 3\n'), /: not valid YAML \(.*unique/i],
    [file('json', '[1, 2]'), /: expected a mapping of flag names to values, got a list/],
    [file('toml', 'epochs = 2'), /: expected a \.json, \.yaml or \.yml file/],
    [join(root, 'missing.json'), /: cannot read the config file \(ENOENT\)/],
  ];
  for (const [path, pattern] of cases) {
    await assert.rejects(parsedOptions(['train', '--config', path]), (e: Error) => {
      assert.ok(e.message.startsWith(`${path}: `), e.message);
      assert.match(e.message, pattern);
      assert.equal(e.message.split('\n').length, 1, e.message);
      return true;
    });
  }
});

test('the CLI prints the refusal in one line and exits 2, before loading anything', () => {
  const config = file('yaml', 'epochs: 2\nwarmup: 0.1\n');
  const r = spawnSync(process.execPath, ['bin/edora.js', 'train', '--config', config], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 2, r.stderr);
  assert.ok(r.stderr.startsWith(`edora: ${config}: unknown key 'warmup' (expected`), r.stderr);
  assert.equal(r.stderr.split('\n').length, 2, r.stderr);
});
