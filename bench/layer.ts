/**
 * The adapted layer both adapter benchmarks time: a frozen Linear (seeded
 * weights) with the method's adapter hooked in, its trainable factors moved
 * off their (often zero) initial values so the update is real work in every
 * method. method null: the base layer alone.
 */
import { type AdapterConfig, adapterConfig, getMethod } from '../src/adapters/index.js';
import { Linear, Random } from '../src/index.js';

export type BenchMethod = 'lora' | 'dora' | 'edora' | 'lora-xs';

export function adaptedLayer(
  dIn: number,
  dOut: number,
  method: BenchMethod | null,
  r: number,
  rng: Random,
  normMode: AdapterConfig['normMode'] = 'factored',
): Linear {
  const base = new Linear(dIn, dOut, { rng: new Random(2) });
  base.requiresGrad(false);
  if (method) {
    const adapter = getMethod(method).fromBase(
      base,
      adapterConfig({ method, r, normMode }),
      new Random(3),
    );
    for (const [, t] of adapter.tensors()) if (t.requiresGrad) rng.fillNormal(t.data, 0, 0.01);
    base.hook = adapter;
  }
  return base;
}
