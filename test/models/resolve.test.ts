/** resolveModel: which kind of model a --model argument names, decided in one place. */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveModel } from '../../src/index.js';
import { tempRoot } from '../helpers/temp-dir.js';

const FIX = join(process.cwd(), 'test/fixtures/models');
const tmp = tempRoot('edora-resolve-');

function dirWith(name: string, files: string[]): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  for (const f of files) writeFileSync(join(dir, f), '{}');
  return dir;
}

test("'use-lite' is the USE-Lite graph shipped in the npm package", () => {
  const m = resolveModel('use-lite');
  assert.equal(m.kind, 'use-lite');
  assert.equal(m.config, null);
  assert.ok(existsSync(join(m.path, 'model.json')), m.path);
  assert.ok(existsSync(join(m.path, 'vocab.json')), m.path);
});

test('a directory with config.json is a Hugging Face model, with its config read', () => {
  const dir = join(FIX, 'tiny-bert');
  const m = resolveModel(dir);
  assert.equal(m.kind, 'hf');
  assert.equal(m.path, dir);
  assert.equal(m.config?.modelType, 'bert');
  // make-fixtures.ts gives tiny-bert three labels.
  assert.deepEqual(m.config?.id2label, ['negative', 'neutral', 'positive']);
  assert.equal(resolveModel(join(FIX, 'tiny-roberta')).config?.modelType, 'roberta');
});

test('a directory with model.json and no config.json is a TF.js USE-Lite model', () => {
  const dir = dirWith('graph', ['model.json', 'vocab.json']);
  assert.deepEqual(resolveModel(dir), { kind: 'use-lite', path: dir, config: null });
});

test('config.json decides when a directory holds both', () => {
  const dir = dirWith('both', ['model.json']);
  copyFileSync(join(FIX, 'tiny-bert', 'config.json'), join(dir, 'config.json'));
  assert.equal(resolveModel(dir).kind, 'hf');
});

test('neither kind: one line naming the argument and what was expected', () => {
  const empty = dirWith('empty', ['weights.bin']);
  assert.throws(() => resolveModel(empty), {
    message: `--model ${empty}: no config.json in that directory (a Hugging Face model) nor model.json (a TF.js USE-Lite model)`,
  });
  // Three tests of the CLI match parts of this line: keep them in one message.
  const expected =
    "--model must be 'use-lite' or a directory with config.json (Hugging Face) or model.json (TF.js USE-Lite)";
  const absent = join(tmp, 'absent');
  assert.throws(() => resolveModel(absent), {
    message: `${expected}; ${absent}: no config.json (no such directory)`,
  });
  const file = join(tmp, 'file.json');
  writeFileSync(file, '{}');
  assert.throws(() => resolveModel(file), {
    message: `${expected}; ${file}: no config.json (not a directory)`,
  });
  assert.throws(() => resolveModel(absent, { flag: 'model' }), /^Error: model must be 'use-lite'/);
});

test('a kind the caller cannot use is refused in one line', () => {
  assert.throws(() => resolveModel('use-lite', { expect: 'hf' }), {
    message:
      '--model use-lite: a TF.js USE-Lite model; this needs a Hugging Face model directory (config.json)',
  });
  const dir = join(FIX, 'tiny-bert');
  assert.throws(() => resolveModel(dir, { expect: 'use-lite' }), {
    message: `--model ${dir}: a Hugging Face model (config.json); this needs 'use-lite' or a TF.js USE-Lite directory (model.json)`,
  });
  assert.equal(resolveModel(dir, { expect: 'hf' }).kind, 'hf');
});
