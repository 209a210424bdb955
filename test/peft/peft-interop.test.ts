/**
 * Interop with Hugging Face PEFT itself (torch, transformers and peft ran
 * test/fixtures/peft/make_reference.py; versions in expected.json):
 * - adapters PEFT wrote load here onto the same layers and give PEFT's logits,
 *   unmerged and merged;
 * - adapters edora wrote (LoRA, DoRA, PiSSA, and EDoRA / LoRA-XS through
 *   `exportAdapter`) loaded in PEFT with every tensor placed, and PEFT's
 *   logits equal edora's: for EDoRA, edora's own EDoRA forward equals PEFT's
 *   DoRA forward of the exported adapter;
 * - today's code still writes exactly those files, and re-saves PEFT's
 *   adapters with the same tensors under the same keys.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  adapterStateDict,
  backward,
  exportAdapter,
  loadModel,
  loadPeftAdapter,
  matmul,
  mul,
  noGrad,
  type PeftModel,
  readSafetensors,
  type SequenceClassifier,
  savePeftAdapter,
  sum,
  Tensor,
} from '../../src/index.js';
import type { EncoderInput } from '../../src/models/bert.js';
import { relErr } from '../helpers/compare.js';
import { type EncoderCase, encoderInput } from '../helpers/encoder-input.js';
import {
  baseDir,
  baseOf,
  EDORA_WRITTEN,
  exportedName,
  FIXTURES,
  type InteropBase,
  writeEdoraAdapter,
} from './interop-specs.js';

interface PeftResult {
  base: InteropBase;
  /** float64 gradients of sum(logits ⊙ loss_weights), under the file's keys. */
  gradients?: Record<string, number[]>;
  logits?: number[][];
  merged_logits?: number[][];
  adapted_layers?: string[];
  peft_refuses?: string;
}
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as {
  loss_weights: Record<InteropBase, number[][]>;
  versions: Record<string, string>;
  base_logits: Record<InteropBase, number[][]>;
  adapters: Record<string, PeftResult>;
};
const cases = JSON.parse(
  readFileSync(join(process.cwd(), 'test/fixtures/models/expected.json'), 'utf8'),
) as Record<InteropBase, EncoderCase>;
const inputOf = (base: InteropBase): EncoderInput => encoderInput(cases[base]);

const tmp = mkdtempSync(join(tmpdir(), 'edora-interop-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Loaded {
  pm: PeftModel<SequenceClassifier>;
  base: InteropBase;
  logits: () => number[];
}
function loaded(name: string): Loaded {
  const base = baseOf(name);
  const { model } = loadModel(baseDir(base));
  const pm = loadPeftAdapter(model, join(FIXTURES, name));
  return { pm, base, logits: () => noGrad(() => pm.model.forward(inputOf(base)).toArray()) };
}

/** float32 here against float64 in PEFT. */
const TOL = 1e-5;
/** Gradients pass back through both layers in float32: up to 6e-6 seen. */
const GRAD_TOL = 3e-5;

/** Gradients of every trainable tensor (adapter and modulesToSave copies) under their file keys. */
function gradients({ pm, base }: Loaded): Map<string, Tensor> {
  pm.model.eval();
  const weights = expected.loss_weights[base];
  const w = new Tensor(Float32Array.from(weights.flat()), [weights.length, weights[0]!.length]);
  backward(sum(mul(pm.model.forward(inputOf(base)), w)));
  const grads = new Map<string, Tensor>();
  for (const [key, t] of adapterStateDict(pm)) if (t.grad) grads.set(key, t.grad);
  return grads;
}

for (const base of ['tiny-bert', 'tiny-roberta'] as const) {
  test(`${base}: the base model gives the logits transformers gives`, () => {
    const { model } = loadModel(baseDir(base));
    const e = relErr(
      noGrad(() => model.forward(inputOf(base)).toArray()),
      expected.base_logits[base].flat(),
    );
    assert.ok(e < TOL, `relative error ${e}`);
  });
}

describe(`adapters loaded in PEFT ${expected.versions['peft']}`, () => {
  const dirs = readdirSync(FIXTURES).filter((n) => n in expected.adapters);
  assert.ok(dirs.length >= 12, `fixture adapters: ${dirs.join(', ')}`);
  for (const name of dirs) {
    const ref = expected.adapters[name]!;
    if (ref.peft_refuses) continue;
    test(`${name}: same layers, same logits, same merged logits`, () => {
      const { pm, base, logits } = loaded(name);
      assert.equal(base, ref.base);
      assert.deepEqual([...pm.adapters().keys()].sort(), [...ref.adapted_layers!].sort());
      const moved = relErr(expected.base_logits[base].flat(), ref.logits!.flat());
      assert.ok(moved > 0.05, `the adapter moves PEFT's logits (${moved})`);
      const e = relErr(logits(), ref.logits!.flat());
      assert.ok(e < TOL, `adapted logits: relative error ${e}`);
      const merged = pm.mergeAndUnload();
      const m = relErr(
        noGrad(() => merged.forward(inputOf(base)).toArray()),
        ref.merged_logits!.flat(),
      );
      assert.ok(m < TOL, `merged logits: relative error ${m}`);
    });
  }
});

describe("gradients equal PEFT's (the norm detached alike)", () => {
  for (const [name, ref] of Object.entries(expected.adapters)) {
    if (!ref.gradients) continue;
    test(`${name}: every trainable tensor`, () => {
      const mine = gradients(loaded(name));
      assert.deepEqual([...mine.keys()].sort(), Object.keys(ref.gradients!).sort());
      for (const [key, g] of mine) {
        const e = relErr(g.toArray(), ref.gradients![key]!);
        assert.ok(e < GRAD_TOL, `${key}: relative error ${e}`);
      }
    });
  }

  for (const spec of EDORA_WRITTEN.filter((s) => s.options.method === 'edora')) {
    test(`${spec.name}: dR = Bᵀ·(PEFT DoRA dB′) for the exported B′ = B·R, and dm alike`, () => {
      const ref = expected.adapters[exportedName(spec)]!.gradients!;
      const l = loaded(spec.name);
      const mine = gradients(l);
      const state = adapterStateDict(l.pm);
      // Every trainable tensor, and only those, got a gradient: R and m of each adapted layer
      // (PEFT's keys with lora_B → lora_R and no lora_A: A and B are frozen) and the head.
      const trainable = [...state].filter(([, t]) => t.requiresGrad).map(([k]) => k);
      const fromPeft = Object.keys(ref)
        .filter((k) => !k.endsWith('.lora_A.weight'))
        .map((k) => k.replace(/\.lora_B\.weight$/, '.lora_R.weight'));
      assert.deepEqual(trainable.sort(), fromPeft.sort());
      assert.deepEqual([...mine.keys()].sort(), trainable);
      let checked = 0;
      for (const [key, g] of mine) {
        let want: number[];
        if (key.endsWith('.lora_R.weight')) {
          const stem = key.slice(0, -'.lora_R.weight'.length);
          const b = state.get(`${stem}.lora_B.weight`)!;
          const dB = new Tensor(Float32Array.from(ref[`${stem}.lora_B.weight`]!), b.shape);
          want = noGrad(() => matmul(b, dB, { transA: true })).toArray();
          checked++;
        } else {
          want = ref[key]!;
        }
        const e = relErr(g.toArray(), want);
        assert.ok(e < GRAD_TOL, `${key}: relative error ${e}`);
      }
      assert.equal(checked, l.pm.adapters().size, 'every adapted layer has its R checked');
    });
  }
});

describe('adapters edora writes', () => {
  for (const spec of EDORA_WRITTEN) {
    test(`${spec.name}: today's code writes the files PEFT was shown`, () => {
      writeEdoraAdapter(spec, tmp);
      const names = [spec.name, ...(spec.exportTo ? [exportedName(spec)] : [])];
      for (const n of names) {
        for (const file of ['adapter_config.json', 'adapter_model.safetensors']) {
          assert.ok(
            readFileSync(join(tmp, n, file)).equals(readFileSync(join(FIXTURES, n, file))),
            `${n}/${file} differs from the fixture (regenerate with test/fixtures/peft/make-fixtures.ts and make_reference.py)`,
          );
        }
      }
    });
  }

  for (const spec of EDORA_WRITTEN.filter((s) => s.exportTo)) {
    const as = spec.exportTo === 'peft-dora' ? 'DoRA' : 'LoRA';
    test(`${spec.name}: its own forward equals PEFT ${as} on the exported adapter`, () => {
      assert.match(expected.adapters[spec.name]!.peft_refuses!, /EDORA|LORA_XS/);
      const { pm, logits } = loaded(spec.name);
      assert.equal([...pm.adapters().values()][0]!.method, spec.options.method);
      const e = relErr(logits(), expected.adapters[exportedName(spec)]!.logits!.flat());
      assert.ok(e < TOL, `relative error ${e}`);
    });

    test(`${spec.name}: exporting the committed adapter again gives the committed export`, () => {
      const out = join(tmp, `again-${spec.name}`);
      exportAdapter(join(FIXTURES, spec.name), spec.exportTo!, out);
      const a = readSafetensors(join(out, 'adapter_model.safetensors')).tensors;
      const b = readSafetensors(
        join(FIXTURES, exportedName(spec), 'adapter_model.safetensors'),
      ).tensors;
      assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
      for (const [k, t] of a) assert.deepEqual(t.toArray(), b.get(k)!.toArray(), k);
    });
  }
});

describe('adapters PEFT wrote, saved again by edora', () => {
  const peftMade = Object.keys(expected.adapters).filter((n) => /^(roberta-)?peft-/.test(n));
  assert.equal(peftMade.length, 4);
  for (const name of peftMade) {
    test(`${name}: the same tensors under the same keys`, () => {
      const { pm } = loaded(name);
      const out = join(tmp, `resaved-${name}`);
      savePeftAdapter(pm, out);
      const mine = readSafetensors(join(out, 'adapter_model.safetensors')).tensors;
      const theirs = readSafetensors(join(FIXTURES, name, 'adapter_model.safetensors')).tensors;
      assert.deepEqual([...mine.keys()].sort(), [...theirs.keys()].sort());
      for (const [k, t] of theirs) assert.deepEqual(mine.get(k)!.toArray(), t.toArray(), k);
    });
  }
});
