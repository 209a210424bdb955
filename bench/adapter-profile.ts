/**
 * npm run bench:profile — where one adapted layer's training step spends its
 * time, kernel by kernel: forward + backward of one linear layer (4096 tokens,
 * r = 16) for the base layer alone and for each method, every kernel call
 * timed, averaged over the steps (the methods' steps interleaved). "outside kernels" is the step's wall time
 * not spent in a kernel (JavaScript, allocation, first-touch page faults).
 * Last line: {"bench":"adapter-profile","layers":[{"shape":…,"method":…,"stepMs":…,"kernels":[{"kernel":…,"ms":…},…]},…]}
 * Flags: --steps N (default 10), --tokens N (4096), --r N (16), --din N, --dout N (768, 768),
 * --methods base,lora,dora,edora
 */
import { parseArgs } from 'node:util';
import * as E from '../src/index.js';
import { Random } from '../src/index.js';
import { releaseFloat } from '../src/tensor/pool.js';
import { adaptedLayer, type BenchMethod } from './layer.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string' },
    tokens: { type: 'string' },
    r: { type: 'string' },
    din: { type: 'string' },
    dout: { type: 'string' },
    methods: { type: 'string' },
  },
});
const steps = Number(values.steps ?? 10);
const tokens = Number(values.tokens ?? 4096);
const r = Number(values.r ?? 16);
const dIn = Number(values.din ?? 768);
const dOut = Number(values.dout ?? 768);
const methods = (values.methods ?? 'base,lora,dora,edora').split(',');

const rng = new Random(1);
const x = E.randn([tokens, dIn], rng, 1, 0, { requiresGrad: true });
const dy = E.randn([tokens, dOut], rng);
// One layer per method; the methods' steps are interleaved, so that the
// machine's drift (other tenants, clocks) touches every method alike.
const setups = methods.map((method) => {
  const base = adaptedLayer(dIn, dOut, method === 'base' ? null : (method as BenchMethod), r, rng);
  const step = () => {
    // The previous step's dx goes back to the pool, as the tape's own gradients do in training.
    if (x.grad) releaseFloat(x.grad.data);
    x.grad = null;
    E.backward(base.forward(x), { grad: dy });
  };
  step(); // warm-up
  return { method, step, totals: new Map<string, { count: number; ms: number }>(), wall: 0 };
});
// Garbage from one method's step is collected before the next (with --expose-gc).
const collect = (globalThis as { gc?: () => void }).gc;
for (let i = 0; i < steps; i++) {
  for (const s of setups) {
    collect?.();
    const t0 = performance.now();
    const { entries } = E.profileKernels(s.step);
    s.wall += performance.now() - t0;
    for (const e of entries) {
      const t = s.totals.get(e.kernel) ?? { count: 0, ms: 0 };
      t.count += e.count;
      t.ms += e.ms;
      s.totals.set(e.kernel, t);
    }
  }
}
const results = [];
for (const { method, totals, wall } of setups) {
  const kernels = [...totals]
    .map(([kernel, t]) => ({ kernel, calls: t.count / steps, ms: t.ms / steps }))
    .sort((a, b) => b.ms - a.ms);
  const stepMs = wall / steps;
  const inKernels = kernels.reduce((sum, k) => sum + k.ms, 0);
  kernels.push({ kernel: 'outside kernels', calls: 0, ms: stepMs - inKernels });
  console.log(
    `${method} ${dIn}→${dOut}, ${tokens} tokens, r = ${r}: ${stepMs.toFixed(2)} ms a step (mean of ${steps})`,
  );
  for (const k of kernels)
    console.log(
      `  ${k.kernel.padEnd(40)} ${k.ms.toFixed(2).padStart(8)} ms${k.calls ? `  ×${k.calls}` : ''}`,
    );
  results.push({
    shape: `${dIn}x${dOut}`,
    method,
    stepMs: Math.round(stepMs * 100) / 100,
    kernels: kernels.map((k) => ({ kernel: k.kernel, ms: Math.round(k.ms * 100) / 100 })),
  });
}
console.log(JSON.stringify({ bench: 'adapter-profile', tokens, r, steps, layers: results }));
