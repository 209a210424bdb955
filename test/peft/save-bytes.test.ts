/**
 * Saved adapters are byte for byte what they were before the method
 * description (#12 items 1–2) replaced the per-method tables: each method,
 * built with a fixed seed and perturbed with a fixed seed, is saved and its
 * two files hashed.
 *
 * The expected SHA-256 values were recorded by running this same test
 * against the code of commit 2c39786 (before the refactor), not produced by
 * the code under test: they pin behaviour across the refactor, which is the
 * one place a recorded value is right. A change that means to alter the
 * files must update them and say why.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { exportAdapter, PeftModel, savePeftAdapter } from '../../src/index.js';
import { perturbTrainable } from '../helpers/perturb.js';
import { TinyModel } from './tiny-model.js';

const root = mkdtempSync(join(tmpdir(), 'edora-save-bytes-'));
after(() => rmSync(root, { recursive: true, force: true }));

const EXPECTED: Record<string, { config: string; weights: string }> = {
  lora: {
    config: '3ed6b2ac5b1607a5228fa6d875e7e9a40c4a457aa9760d01e2817bb01bbb0aa4',
    weights: '3819fc43b09b5dc467728703706845654390dca13ade0f83d884995cd3fb013c',
  },
  dora: {
    config: '9ae7a9437e4245f8952607932155a77e2058ded275eb06a160d97e4004fad732',
    weights: 'c4a85daed2cbb112653860d9dfb233cc24f79ba91fb2c7d945aef6d23d4274d8',
  },
  'lora-xs': {
    config: '0a8821c6d6e11a6715f3686a7ef201e8176a2c1b5fedc34b1e86b184b5d25d3b',
    weights: '675734d47b8e23d59a2a133de2ba05832fe0b887d910f4050706baa4b55d5f9d',
  },
  edora: {
    config: 'a4becd6a54b848c20a353b007ec2f9a62188cad62378a5f2420d53fa04568441',
    weights: 'f50a410f5f6f7f441f9e7f64884297c68740f15b71893e1a88959a216464d303',
  },
  'lora-pissa': {
    config: '0248f76f63e19e86a254b1e9690859921ec933fc615249c733d05562e25f2e0c',
    weights: '7fed7c17ecb64151b0568a13f5cdb8eb531e292075cab2a7194ce2b6e9095e42',
  },
};

const CASES: { name: string; method: 'lora' | 'dora' | 'lora-xs' | 'edora'; init?: 'pissa' }[] = [
  { name: 'lora', method: 'lora' },
  { name: 'dora', method: 'dora' },
  { name: 'lora-xs', method: 'lora-xs' },
  { name: 'edora', method: 'edora' },
  { name: 'lora-pissa', method: 'lora', init: 'pissa' },
];

const sha256 = (path: string): string =>
  createHash('sha256').update(readFileSync(path)).digest('hex');

for (const c of CASES) {
  test(`${c.name}: the saved files are the bytes the code before the refactor wrote`, () => {
    const pm = PeftModel.create(new TinyModel(7), {
      method: c.method,
      r: 2,
      alpha: 6,
      targetModules: ['query', 'value', 'attention.output.dense', 'output.dense'],
      modulesToSave: ['classifier'],
      seed: 11,
      ...(c.init ? { initLoraWeights: c.init } : {}),
    });
    perturbTrainable(pm, 13, 0.2);
    const dir = join(root, c.name);
    savePeftAdapter(pm, dir, { baseModel: 'tiny', taskType: 'SEQ_CLS' });
    const got = {
      config: sha256(join(dir, 'adapter_config.json')),
      weights: sha256(join(dir, 'adapter_model.safetensors')),
    };
    if (process.env['EDORA_PRINT_HASHES']) console.log(JSON.stringify({ [c.name]: got }));
    assert.deepEqual(got, EXPECTED[c.name]);
  });
}

const EXPORTED: Record<string, { config: string; weights: string }> = {
  edora: {
    config: 'a8d6fbcf1b0bb88ea44245cda4b68040908abf9c44e13825462c0fdace3af256',
    weights: '105fe91f3fa7b1acd35c335a5084180295c9ffa677e3bf6966be034e4ca6ce91',
  },
  'lora-xs': {
    config: '2a164f1955aae38f0285ef505b6532e3aacf6db012865db9f07d924e0ef97173',
    weights: '106416c10bfde70aa6c86ca068f2181133bbe08ca505fefe177bbdabf69ca7d1',
  },
  dora: {
    config: 'a8d6fbcf1b0bb88ea44245cda4b68040908abf9c44e13825462c0fdace3af256',
    weights: 'fcf233b0f18757b591f40562ed5dfae9e0c39ae4ae3fd619a9b4478f27061ca9',
  },
};

for (const [method, to] of [
  ['edora', 'peft-dora'],
  ['lora-xs', 'peft-lora'],
  ['dora', 'peft-dora'],
] as const) {
  test(`${method} exported to ${to}: the bytes the code before the refactor wrote`, () => {
    const pm = PeftModel.create(new TinyModel(7), {
      method,
      r: 2,
      alpha: 6,
      targetModules: ['query', 'value'],
      seed: 11,
    });
    perturbTrainable(pm, 13, 0.2);
    const dir = join(root, `export-${method}`);
    savePeftAdapter(pm, dir);
    exportAdapter(dir, to, `${dir}-out`);
    const got = {
      config: sha256(join(`${dir}-out`, 'adapter_config.json')),
      weights: sha256(join(`${dir}-out`, 'adapter_model.safetensors')),
    };
    if (process.env['EDORA_PRINT_HASHES']) console.log(JSON.stringify({ [method]: got }));
    assert.deepEqual(got, EXPORTED[method]);
  });
}
