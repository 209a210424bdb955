/**
 * A method's own settings (AdapterMethod.options): declared once with their
 * PEFT names, filled with defaults, converted from the command line's text,
 * checked (one line naming the setting), written to adapter_config.json at
 * the top level and read back, and seen by the parameter count. The method
 * here exists only in this test: LoRA's adapter with a declared setting that
 * multiplies its count, so the count shows that the setting reached it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  checkOptionsUsed,
  optionsFor,
  parseOptionPairs,
  resolveOptions,
} from '../../src/adapters/options.js';
import {
  type AdapterMethod,
  adapterConfig,
  countAdapterParameters,
  getMethod,
  loadPeftAdapter,
  PeftModel,
  registerMethod,
  savePeftAdapter,
} from '../../src/index.js';
import { fromAdapterConfigJson } from '../../src/peft/format.js';
import { edora } from '../helpers/cli.js';
import { TinyModel } from '../peft/tiny-model.js';

const root = mkdtempSync(join(tmpdir(), 'edora-options-'));
after(() => rmSync(root, { recursive: true, force: true }));
const TARGETS = ['query', 'value'];

const withOptions: AdapterMethod = {
  ...getMethod('lora'),
  name: 'lora-opt',
  help: 'LoRA with settings of its own (test only)',
  peft: { peftType: 'LORA_OPT', configFields: {} },
  exports: [],
  options: [
    { key: 'copies', kind: 'integer', default: 2, min: 1, max: 8, help: 'count multiplier' },
    { key: 'mode', kind: 'string', default: 'a', choices: ['a', 'b'], help: 'a choice' },
    { key: 'strict', kind: 'boolean', default: false, help: 'a switch' },
    { key: 'beta', kind: 'number', default: 0.85, min: 0, max: 1, help: 'a rate' },
  ],
  countTrainable: (dOut, dIn, r, o) => r * (dIn + dOut) * (o['copies'] as number),
};

describe('method options', () => {
  before(() => registerMethod(withOptions));

  test('every declared setting gets its default; text from the command line is converted', () => {
    assert.deepEqual(resolveOptions(withOptions), {
      copies: 2,
      mode: 'a',
      strict: false,
      beta: 0.85,
    });
    assert.deepEqual(
      resolveOptions(withOptions, { copies: '3', strict: 'true', beta: '0.5', mode: 'b' }),
      { copies: 3, mode: 'b', strict: true, beta: 0.5 },
    );
    assert.deepEqual(adapterConfig({ method: 'lora-opt', r: 2 }).options, {
      copies: 2,
      mode: 'a',
      strict: false,
      beta: 0.85,
    });
    assert.deepEqual(adapterConfig({ method: 'lora', r: 2 }).options, {});
  });

  test('a wrong setting is one line naming it and what it must be', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ copies: '0' }, /'copies' must be an integer in \[1, 8\], got "0"/],
      [{ copies: 2.5 }, /'copies' must be an integer/],
      [{ copies: 'two' }, /'copies' must be an integer/],
      [{ mode: 'c' }, /'mode' must be one of a, b, got "c"/],
      [{ strict: 'yes' }, /'strict' must be true or false/],
      [{ beta: 1.5 }, /'beta' must be a number in \[0, 1\]/],
      [{ beta: '' }, /'beta' must be a number/],
      [{ gamma: 1 }, /'gamma' is not a setting of lora-opt \(it has copies, mode, strict, beta\)/],
    ];
    for (const [given, message] of bad)
      assert.throws(() => resolveOptions(withOptions, given, '--option'), message);
    assert.throws(
      () => adapterConfig({ method: 'lora', r: 2, options: { copies: 2 } }),
      /'copies' is not a setting of lora \(it has none\)/,
    );
  });

  test('--option pairs: name=value, each name once; a name no method of the run has is refused', () => {
    assert.deepEqual(parseOptionPairs(['copies=3', 'mode = b']), { copies: '3', mode: 'b' });
    assert.throws(
      () => parseOptionPairs(['copies']),
      /--option: expected name=value, got 'copies'/,
    );
    assert.throws(() => parseOptionPairs(['=3']), /expected name=value/);
    assert.throws(() => parseOptionPairs(['copies=1', 'copies=2']), /'copies' is given twice/);
    const lora = getMethod('lora');
    assert.deepEqual(optionsFor(withOptions, { copies: '3' }), { copies: '3' });
    assert.deepEqual(optionsFor(lora, { copies: '3' }), {});
    checkOptionsUsed({ copies: '3' }, [lora, withOptions]);
    assert.throws(
      () => checkOptionsUsed({ nope: '1' }, [lora, withOptions, undefined]),
      /--option: 'nope' is not a setting of lora, lora-opt \(they have copies, mode, strict, beta\)/,
    );
  });

  test('the count sees the settings', () => {
    const count = (options?: Record<string, unknown>) =>
      countAdapterParameters(new TinyModel(1), 'lora-opt', 2, {
        targetModules: TARGETS,
        layersToTransform: null,
        ...(options ? { options } : {}),
      }).trainable;
    const plain = countAdapterParameters(new TinyModel(1), 'lora', 2, {
      targetModules: TARGETS,
      layersToTransform: null,
    }).trainable;
    assert.equal(count(), 2 * plain);
    assert.equal(count({ copies: 5 }), 5 * plain);
    assert.throws(() => count({ copies: 9 }), /'copies' must be an integer in \[1, 8\]/);
  });

  test('adapter_config.json carries them at the top level, and a load reads them back', () => {
    const pm = PeftModel.create(new TinyModel(2), {
      method: 'lora-opt',
      r: 2,
      targetModules: TARGETS,
      options: { copies: '4', mode: 'b' },
    });
    const dir = join(root, 'saved');
    savePeftAdapter(pm, dir);
    const json = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    assert.equal(json.peft_type, 'LORA_OPT');
    assert.equal(json.copies, 4);
    assert.equal(json.mode, 'b');
    assert.equal(json.strict, false);
    assert.equal(json.beta, 0.85);
    const loaded = loadPeftAdapter(new TinyModel(2), dir);
    const config = loaded.configs.get(loaded.activeAdapter!)!;
    assert.deepEqual(config.options, { copies: 4, mode: 'b', strict: false, beta: 0.85 });

    // A file's bad value is named by file and field; a missing one takes the default.
    const file = join(root, 'bad.json');
    assert.throws(
      () => fromAdapterConfigJson({ ...json, copies: 0 }, file),
      new RegExp(
        `${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: field 'copies' must be an integer in \\[1, 8\\], got 0`,
      ),
    );
    const { mode: _, ...withoutMode } = json;
    assert.equal(fromAdapterConfigJson(withoutMode, file).options?.['mode'], 'a');
    // Another method's file may not carry these fields.
    assert.throws(
      () => fromAdapterConfigJson({ ...json, peft_type: 'LORA', copies: 3 }, file),
      /'copies': 3 is a PEFT feature edora does not support/,
    );
  });
});

describe('--option on the command line', () => {
  test('a setting no method of the run has: exit 2, one line naming it', () => {
    const r = edora(
      'params',
      '--model',
      'test/fixtures/configs/roberta-base.json',
      '--method',
      'edora,lora',
      '--option',
      'init_r=12',
    );
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      /^edora: --option: 'init_r' is not a setting of edora, lora \(they have none\)$/m,
    );
    const t = edora(
      'params',
      '--model',
      'test/fixtures/configs/roberta-base.json',
      '--option',
      'nope',
    );
    assert.equal(t.status, 2, t.stderr);
    assert.match(t.stderr, /--option: expected name=value, got 'nope'/);
  });
});
