import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getBackend, noGrad } from '../../../src/index.js';
import { loadUseLite, USE_LITE_MAX_LENGTH } from '../../../src/models/use-lite/index.js';
import { TEXTS } from './inputs.js';
import { referenceEmbed, referenceTokenizer } from './reference.js';

const model = loadUseLite();
const ref = referenceTokenizer();

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return m;
}

/**
 * Batches of similar token length (the graph pads attention to the longest
 * row), sorted ascending so that each batch's last row has tokens.
 */
function batchesByLength(texts: string[], size: number): string[][] {
  const sorted = [...texts].sort((a, b) => ref.encode(a).length - ref.encode(b).length);
  const long = sorted.filter((t) => ref.encode(t).length > 64);
  const short = sorted.filter((t) => ref.encode(t).length <= 64);
  const out: string[][] = [];
  for (let i = 0; i < short.length; i += size) out.push(short.slice(i, i + size));
  return [...out, long];
}

test(`embeddings match the TF.js graph within 1e-4 on ${TEXTS.length} inputs (${getBackend()} backend)`, async () => {
  assert.ok(
    TEXTS.some((t) => ref.encode(t).length > USE_LITE_MAX_LENGTH),
    'some input must exceed the maximum length',
  );
  let worst = 0;
  let worstText = '';
  for (const batch of batchesByLength(TEXTS, 12)) {
    const t0 = Date.now();
    const expected = await referenceEmbed(batch.map((t) => ref.encode(t)));
    const t1 = Date.now();
    const got = noGrad(() => model.embed(batch));
    console.log(
      `# batch ${batch.length} len ${ref.encode(batch.at(-1)!).length}: tfjs ${t1 - t0} ms, ours ${Date.now() - t1} ms`,
    );
    assert.deepEqual(got.shape, [batch.length, 512]);
    const y = got.toArray();
    batch.forEach((text, r) => {
      const d = maxAbsDiff(
        y.slice(r * 512, (r + 1) * 512),
        expected.subarray(r * 512, (r + 1) * 512),
      );
      if (!(d <= worst)) {
        worst = d;
        worstText = text;
      }
    });
  }
  console.log(
    `# USE-Lite vs TF.js graph: max |Δ| = ${worst.toExponential(2)} (${JSON.stringify(worstText.slice(0, 40))})`,
  );
  assert.ok(worst <= 1e-4, `max abs difference ${worst} on ${JSON.stringify(worstText)}`);
});
