/**
 * npm run bench:adapters — forward + backward time of one adapted linear
 * layer against the frozen base layer alone, 4096 tokens, r = 16:
 * 768→768 and 3072→768 (RoBERTa-base's attention and FFN-output shapes).
 *
 * The input requires a gradient (as in a middle layer), so the base case is
 * one forward GEMM and one dX GEMM. Cases are interleaved rep by rep and the
 * median of each is reported with its ratio to base in the same run.
 * "naive" is the reference code's layer (PEFT's DoRA forward, which the EDoRA
 * repository extends): base output + (g − 1)·x·Wᵀ (a second full product) +
 * g·s·ΔW·x, the norm from the dense W + s·ΔW. Each layer also times the row
 * norm alone (EDoRA, one training step's worth): dense vs factored.
 * Last line: {"bench":"adapters","layers":[{"shape":"768x768","cases":[{"case":"edora-factored","ms":…,"ratio":…},…],"norm":{"naiveMs":…,"factoredMs":…,"speedup":…}},…]}
 * Flags: --reps N (default 9), --tokens N (default 4096), --r N (default 16)
 * Run with node --expose-gc (npm run bench:adapters does) to collect garbage
 * between steps, outside the timed region.
 */
import { parseArgs } from 'node:util';
import type { LowRankAdapter } from '../src/adapters/index.js';
import * as E from '../src/index.js';
import { type Linear, Random } from '../src/index.js';
import { releaseFloat } from '../src/tensor/pool.js';
import { adaptedLayer } from './layer.js';

const { values } = parseArgs({
  options: { reps: { type: 'string' }, tokens: { type: 'string' }, r: { type: 'string' } },
});
const reps = Number(values.reps ?? 9);
const tokens = Number(values.tokens ?? 4096);
const r = Number(values.r ?? 16);

type Case = {
  name: string;
  method: 'lora' | 'dora' | 'edora' | null;
  normMode: 'factored' | 'naive';
};
const CASES: Case[] = [
  { name: 'base', method: null, normMode: 'factored' },
  { name: 'lora', method: 'lora', normMode: 'factored' },
  { name: 'dora-naive', method: 'dora', normMode: 'naive' },
  { name: 'dora-factored', method: 'dora', normMode: 'factored' },
  { name: 'edora-naive', method: 'edora', normMode: 'naive' },
  { name: 'edora-factored', method: 'edora', normMode: 'factored' },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const layers: {
  shape: string;
  cases: { case: string; ms: number; ratio: number }[];
  norm: { naiveMs: number; factoredMs: number; speedup: number };
}[] = [];
for (const [dIn, dOut] of [
  [768, 768],
  [3072, 768],
] as const) {
  const rng = new Random(1);
  const x = E.randn([tokens, dIn], rng, 1, 0, { requiresGrad: true });
  const dy = E.randn([tokens, dOut], rng);
  const setups = CASES.map((c) => ({
    c,
    base: adaptedLayer(dIn, dOut, c.method, r, rng, c.normMode),
  }));
  // The norm alone: EDoRA's ‖W + s·B·R·A‖_row, dense vs factored (same tensors).
  const normTimes = { naive: [] as number[], factored: [] as number[] };
  for (const mode of ['naive', 'factored'] as const) {
    const { base } = setups.find((s) => s.c.name === `edora-${mode}`)!;
    const adapter = base.hook as LowRankAdapter;
    adapter.rowNorm(base); // warm-up (and the factored cache)
    for (let rep = 0; rep < reps; rep++) {
      const t0 = process.hrtime.bigint();
      adapter.rowNorm(base);
      normTimes[mode].push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  const norm = {
    naiveMs: Math.round(median(normTimes.naive) * 1000) / 1000,
    factoredMs: Math.round(median(normTimes.factored) * 1000) / 1000,
    speedup: Math.round((median(normTimes.naive) / median(normTimes.factored)) * 10) / 10,
  };
  const times = new Map<string, number[]>(CASES.map((c) => [c.name, []]));
  // A collection before each timed step (when node runs with --expose-gc, as
  // npm run bench:adapters does), so that one case's garbage — the naive
  // cases make the most — is not collected on the next case's time.
  const collect = (globalThis as { gc?: () => void }).gc;
  const step = (base: Linear): number => {
    // The previous step's dx goes back to the pool, as the tape's own
    // gradients do in training: no case pays fresh page faults for it.
    if (x.grad) releaseFloat(x.grad.data);
    x.grad = null;
    collect?.();
    const t0 = process.hrtime.bigint();
    const y = base.forward(x);
    E.backward(y, { grad: dy });
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  for (const { base } of setups) step(base); // warm-up
  for (let rep = 0; rep < reps; rep++)
    for (const { c, base } of setups) times.get(c.name)!.push(step(base));
  const baseMs = median(times.get('base')!);
  const cases = CASES.map((c) => {
    const ms = median(times.get(c.name)!);
    return {
      case: c.name,
      ms: Math.round(ms * 100) / 100,
      ratio: Math.round((ms / baseMs) * 1000) / 1000,
    };
  });
  const shape = `${dIn}x${dOut}`;
  console.log(`layer ${dIn}→${dOut}, ${tokens} tokens, r = ${r} (median of ${reps})`);
  for (const k of cases)
    console.log(
      `  ${k.case.padEnd(16)} ${k.ms.toFixed(2).padStart(9)} ms  ${k.ratio.toFixed(3)}× base`,
    );
  const naive = cases.find((k) => k.case === 'edora-naive')!.ms;
  const fact = cases.find((k) => k.case === 'edora-factored')!.ms;
  console.log(`  edora factored is ${(naive / fact).toFixed(2)}× faster than naive`);
  console.log(
    `  row norm alone: dense ${norm.naiveMs.toFixed(3)} ms, factored ${norm.factoredMs.toFixed(3)} ms (${norm.speedup}×)`,
  );
  layers.push({ shape, cases, norm });
}
console.log(JSON.stringify({ bench: 'adapters', tokens, r, reps, layers }));
