import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kaimingUniform, kaimingUniformBound, Random } from '../../src/index.js';

/** xoshiro128** written independently with BigInt arithmetic, from the reference C. */
function referenceStream(state: readonly number[], count: number): number[] {
  const M = 0xffffffffn;
  let [a, b, c, d] = state.map((x) => BigInt(x)) as [bigint, bigint, bigint, bigint];
  const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & M;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Number((rotl((b * 5n) & M, 7n) * 9n) & M));
    const t = (b << 9n) & M;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11n);
  }
  return out;
}

test('xoshiro128** matches an independent BigInt implementation', () => {
  const r = new Random(42);
  const state = r.getState();
  const mine = Array.from({ length: 1000 }, () => r.nextUint32());
  assert.deepEqual(mine, referenceStream(state, 1000));
});

test('same seed, same numbers; state round-trips exactly', () => {
  const a = new Random(7);
  const b = new Random(7);
  for (let i = 0; i < 100; i++) assert.equal(a.normal(), b.normal());
  const saved = a.getState();
  const next = [a.uniform(), a.normal(), a.nextUint32()];
  const c = new Random(0);
  c.setState(saved);
  assert.deepEqual([c.uniform(), c.normal(), c.nextUint32()], next);
  assert.notEqual(new Random(8).uniform(), new Random(7).uniform());
});

test('uniform and normal have the right moments', () => {
  const r = new Random(3);
  const n = 200000;
  const u = new Float64Array(n);
  const z = new Float64Array(n);
  r.fillUniform(u);
  r.fillNormal(z, 0, 1);
  const mean = (x: Float64Array): number => x.reduce((s, v) => s + v, 0) / x.length;
  const variance = (x: Float64Array, m: number): number =>
    x.reduce((s, v) => s + (v - m) ** 2, 0) / x.length;
  assert.ok(Math.abs(mean(u) - 0.5) < 0.005);
  assert.ok(Math.abs(variance(u, 0.5) - 1 / 12) < 0.002);
  assert.ok(u.every((v) => v >= 0 && v < 1));
  assert.ok(Math.abs(mean(z)) < 0.01);
  assert.ok(Math.abs(variance(z, 0) - 1) < 0.01);
  // Tail mass beyond 3σ ≈ 0.27%.
  const tail = z.filter((v) => Math.abs(v) > 3).length / n;
  assert.ok(tail > 0.002 && tail < 0.0035, `tail ${tail}`);
});

test('kaimingUniform follows PyTorch: bound 1/√fan_in for a=√5', () => {
  assert.ok(Math.abs(kaimingUniformBound(768) - 1 / Math.sqrt(768)) < 1e-15);
  assert.ok(Math.abs(kaimingUniformBound(100, 0) - Math.sqrt(6 / 100)) < 1e-15);
  const w = kaimingUniform([64, 256], new Random(1));
  const b = 1 / 16;
  const v = w.toArray();
  assert.ok(v.every((x) => x >= -b && x < b));
  assert.ok(Math.max(...v) > 0.95 * b && Math.min(...v) < -0.95 * b);
});

test('permutation is a permutation; bad seeds and states are rejected', () => {
  const p = Array.from(new Random(5).permutation(1000)).sort((a, b) => a - b);
  assert.deepEqual(
    p,
    Array.from({ length: 1000 }, (_, i) => i),
  );
  assert.throws(() => new Random(1.5), /seed must be an integer/);
  assert.throws(() => new Random(0).setState([0, 0, 0, 0]), /all-zero/);
  assert.throws(() => new Random(0).setState([1, 2, 3]), /four 32-bit/);
});
