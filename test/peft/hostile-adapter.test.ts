/**
 * Hostile adapter directories: adapter_config.json fields that drive work or
 * build regular expressions, ranks that disagree with the tensors, a
 * directory where a file belongs. Each is one error naming the file and the
 * field, before any work starts (no hang, no SyntaxError, no silent default).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  exportAdapter,
  loadPeftAdapter,
  PeftModel,
  savePeftAdapter,
  tensor,
} from '../../src/index.js';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { tempRoot } from '../helpers/temp-dir.js';
import { TinyModel } from './tiny-model.js';

const root = tempRoot('edora-hostile-');

function saved(name: string, options: Parameters<typeof PeftModel.create>[1]): string {
  const dir = join(root, name);
  savePeftAdapter(PeftModel.create(new TinyModel(1), options), dir);
  return dir;
}
const edoraDir = saved('edora', {
  method: 'edora',
  r: 2,
  targetModules: ['query', 'value'],
  modulesToSave: ['classifier'],
});
const loraDir = saved('lora', { method: 'lora', r: 2, targetModules: ['query', 'value'] });

let n = 0;
/** A copy of `from` with adapter_config.json edited by `edit`. */
function edited(from: string, edit: (j: Record<string, unknown>) => void): string {
  const dir = join(root, `case-${n++}`);
  mkdirSync(dir);
  const json = JSON.parse(readFileSync(join(from, 'adapter_config.json'), 'utf8'));
  edit(json);
  writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify(json));
  writeFileSync(
    join(dir, 'adapter_model.safetensors'),
    readFileSync(join(from, 'adapter_model.safetensors')),
  );
  return dir;
}

function refused(dir: string, message: RegExp): void {
  assert.throws(
    () => loadPeftAdapter(new TinyModel(1), dir),
    (e: unknown) => {
      assert.ok(e instanceof Error, String(e));
      assert.ok(e.message.includes(join(dir, 'adapter_config.json')), e.message);
      assert.match(e.message, message);
      assert.ok(!e.message.includes('\n'));
      return true;
    },
  );
}

test('SVD iterations are bounded: edora.svd_iters and pissa_niter_N', () => {
  refused(
    edited(edoraDir, (j) => {
      (j['edora'] as Record<string, unknown>)['svd_iters'] = 1e9;
    }),
    /field 'edora\.svd_iters' must be an integer in \[0, 100\], got 1000000000/,
  );
  refused(
    edited(loraDir, (j) => {
      j['init_lora_weights'] = 'pissa_niter_1000000000';
    }),
    /field 'init_lora_weights' "pissa_niter_1000000000" asks for 1000000000 SVD iterations; at most 100/,
  );
  assert.throws(
    () =>
      PeftModel.create(new TinyModel(1), {
        method: 'edora',
        r: 2,
        targetModules: ['query'],
        svdIters: 1e9,
      }),
    /svdIters must be an integer in \[0, 100\], got 1000000000/,
  );
});

test('the edora block is checked, never silently ignored', () => {
  const block = (v: unknown) =>
    edited(edoraDir, (j) => {
      j['edora'] = v;
    });
  const entry = (k: string, v: unknown) =>
    edited(edoraDir, (j) => {
      (j['edora'] as Record<string, unknown>)[k] = v;
    });
  refused(block(5), /field 'edora' must be an object, got 5/);
  refused(entry('svd_iters', 'ten'), /field 'edora\.svd_iters' must be an integer/);
  refused(entry('svd_iters', 2.5), /field 'edora\.svd_iters' must be an integer/);
  refused(entry('r_init_std', -1), /field 'edora\.r_init_std' must be a number ≥ 0, got -1/);
  refused(entry('seed', 1.5), /field 'edora\.seed' must be an integer, got 1\.5/);
  refused(entry('method', 'lora'), /field 'edora\.method' must be "edora"/);
  refused(entry('norm_mode', 'naive'), /field 'edora\.norm_mode' is unknown/);
});

test('regular expressions that do not compile name their field', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ target_modules: '([' }, 'target_modules'],
    [{ exclude_modules: '*x' }, 'exclude_modules'],
    [{ modules_to_save: ['classifier', '('] }, 'modules_to_save'],
    [{ rank_pattern: { '[': 4 } }, 'rank_pattern'],
    [{ alpha_pattern: { '(?<': 4 } }, 'alpha_pattern'],
    [{ layers_to_transform: [0], layers_pattern: '+' }, 'layers_pattern'],
  ];
  for (const [fields, name] of cases)
    refused(
      edited(edoraDir, (j) => Object.assign(j, fields)),
      new RegExp(`field '${name}': .* is not a valid regular expression`),
    );
});

test("what the config asks of each layer (r, lora_dropout) is named with the config's file", () => {
  refused(
    edited(loraDir, (j) => {
      j['lora_dropout'] = 5;
    }),
    /dropout must be in \[0, 1\), got 5/,
  );
  // A modules_to_save-only adapter with an absurd r: no tensor tells its rank, the layers do.
  const probe = saved('probe', {
    method: 'lora',
    r: 1,
    targetModules: ['query'],
    modulesToSave: ['classifier'],
  });
  refused(
    edited(probe, (j) => {
      j['r'] = 1e9;
    }),
    /r = 1000000000/,
  );
});

test('ranks in the config and in the tensors must agree: load and export name the tensor and r', () => {
  for (const [r, pattern] of [
    [4, {}],
    [2, { value: 3 }],
  ] as const) {
    const dir = edited(edoraDir, (j) => {
      j['r'] = r;
      j['rank_pattern'] = pattern;
    });
    const message = new RegExp(
      `adapter_model\\.safetensors: tensor 'base_model\\.model\\.encoder\\.layer\\.0\\.attention\\.self\\.(query|value)\\.lora_[ABR]\\.weight' has shape \\[[\\d,]+\\], but .*adapter_config\\.json gives 'encoder\\.layer\\.0\\.attention\\.self\\.(query|value)' rank r = ${r === 4 ? 4 : 3}`,
    );
    assert.throws(() => loadPeftAdapter(new TinyModel(1), dir), message);
    assert.throws(() => exportAdapter(dir, 'peft-dora', join(dir, 'out')), message);
  }
});

test('a directory in place of adapter_model.safetensors is named', () => {
  const dir = join(root, 'weights-dir');
  mkdirSync(join(dir, 'adapter_model.safetensors'), { recursive: true });
  writeFileSync(
    join(dir, 'adapter_config.json'),
    readFileSync(join(edoraDir, 'adapter_config.json')),
  );
  assert.throws(
    () => loadPeftAdapter(new TinyModel(1), dir),
    /weights-dir\/adapter_model\.safetensors: is a directory, expected a safetensors file/,
  );
  assert.throws(
    () => exportAdapter(dir, 'peft-dora', join(root, 'never')),
    /weights-dir\/adapter_model\.safetensors: is a directory/,
  );
});

test('onUnusedModulesToSave skips only modules_to_save entries the model lacks; any other stray tensor is still an error', () => {
  const dir = edited(edoraDir, (j) => {
    j['modules_to_save'] = ['classifier', 'pooler'];
  });
  const file = join(dir, 'adapter_model.safetensors');
  const tensors = readSafetensors(file).tensors;
  tensors.set('base_model.model.pooler.dense.weight', tensor([1, 2]));
  writeSafetensors(file, tensors);
  const reported: string[][] = [];
  loadPeftAdapter(new TinyModel(1), dir, { onUnusedModulesToSave: (n) => reported.push(n) });
  assert.deepEqual(reported, [['pooler']]);
  assert.throws(
    () => loadPeftAdapter(new TinyModel(1), dir),
    /tensor 'base_model\.model\.pooler\.dense\.weight' has no place in the model/,
  );
  tensors.set('base_model.model.stray.weight', tensor([3]));
  writeSafetensors(file, tensors);
  assert.throws(
    () => loadPeftAdapter(new TinyModel(1), dir, { onUnusedModulesToSave: () => {} }),
    /tensor 'base_model\.model\.stray\.weight' has no place in the model/,
  );
});

test('invalid JSON is reported on one line (V8 quotes the text around the error, newlines and all)', () => {
  const dir = edited(edoraDir, () => {});
  const text = readFileSync(join(edoraDir, 'adapter_config.json'), 'utf8');
  writeFileSync(join(dir, 'adapter_config.json'), text.replace('"use_dora":', '"use_dora"a'));
  refused(dir, /adapter_config\.json: not valid JSON \(Unexpected token 'a'/);
});

test('a head that does not fit the label map names the map', () => {
  const dir = join(root, 'labelled');
  const pm = PeftModel.create(new TinyModel(1), {
    method: 'lora',
    r: 2,
    targetModules: ['query'],
    modulesToSave: ['classifier'],
  });
  pm.labels.set('default', ['a', 'b', 'c', 'd']); // the head has 3 outputs
  savePeftAdapter(pm, dir);
  assert.throws(
    () => loadPeftAdapter(new TinyModel(1, 8, 12, 4), dir),
    /tensor 'base_model\.model\.classifier\.weight' has shape \[3,8\], the model expects \[4,8\] \(for the 4 labels of .*labelled\/label_map\.json\)/,
  );
  const loaded = loadPeftAdapter(new TinyModel(1), dir);
  assert.deepEqual(loaded.labels.get('default'), ['a', 'b', 'c', 'd']);
});
