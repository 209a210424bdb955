import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as E from '../../src/index.js';
import { LayerNorm, Linear, Module, Random } from '../../src/index.js';

class Block extends Module {
  readonly dense: Linear;
  readonly norm: LayerNorm;
  constructor(rng: Random) {
    super();
    this.dense = this.module('dense', new Linear(4, 3, { rng }));
    this.norm = this.module('LayerNorm', new LayerNorm(3, 1e-12));
  }
  forward(x: E.Tensor): E.Tensor {
    return this.norm.forward(this.dense.forward(x));
  }
}

test('parameters are named by dotted paths like Hugging Face checkpoints', () => {
  const b = new Block(new Random(1));
  assert.deepEqual(
    b.namedParameters('encoder').map(([k]) => k),
    [
      'encoder.dense.weight',
      'encoder.dense.bias',
      'encoder.LayerNorm.weight',
      'encoder.LayerNorm.bias',
    ],
  );
  assert.equal(b.getSubmodule('dense'), b.dense);
  assert.throws(() => b.getSubmodule('dense.nope'), /no submodule 'dense.nope'/);
});

test('nn.Linear matches PyTorch init bounds and computes x·Wᵀ + b', () => {
  const l = new Linear(64, 8, { rng: new Random(2) });
  assert.ok(l.weight.toArray().every((v) => Math.abs(v) <= 1 / 8));
  assert.ok(l.bias!.toArray().every((v) => Math.abs(v) <= 1 / 8));
  const x = E.randn([5, 64], new Random(3));
  const y = l.forward(x).toArray();
  const w = l.weight.toArray();
  const bias = l.bias!.toArray();
  const xs = x.toArray();
  for (let i = 0; i < 5; i++)
    for (let o = 0; o < 8; o++) {
      let s = bias[o]!;
      for (let j = 0; j < 64; j++) s += xs[i * 64 + j]! * w[o * 64 + j]!;
      assert.ok(Math.abs(s - y[i * 8 + o]!) < 1e-4);
    }
});

test('loadStateDict copies values and names the key and shapes on mismatch', () => {
  const a = new Block(new Random(1));
  const b = new Block(new Random(2));
  b.loadStateDict(a.stateDict());
  assert.deepEqual(b.dense.weight.toArray(), a.dense.weight.toArray());
  const bad = new Map(a.stateDict());
  bad.set('dense.weight', E.zeros([3, 5]));
  assert.throws(
    () => b.loadStateDict(bad, { source: 'model.safetensors' }),
    /tensor 'dense.weight' in model.safetensors has shape \[3,5\], the model expects \[3,4\]/,
  );
  const missing = new Map(a.stateDict());
  missing.delete('LayerNorm.bias');
  assert.throws(() => b.loadStateDict(missing), /missing tensor: LayerNorm.bias/);
  assert.deepEqual(b.loadStateDict(missing, { strict: false }).missing, ['LayerNorm.bias']);
});

test('freezing, train/eval and the linear hook', () => {
  const b = new Block(new Random(1));
  b.requiresGrad(false);
  assert.equal(b.trainableParameters().length, 0);
  b.eval();
  assert.equal(b.dense.training, false);
  const x = E.randn([2, 4], new Random(4));
  const base = b.dense.forward(x).toArray();
  b.dense.hook = { forward: (input, layer) => E.mul(layer.baseForward(input), 2) };
  assert.deepEqual(
    b.dense.forward(x).toArray(),
    base.map((v) => v * 2),
  );
});
