/**
 * edora merge on USE-Lite writes a TF.js graph model: TF.js running the
 * merged graph, and our loader reading it back, both give the adapted
 * model's embeddings.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadUseLite, noGrad, PeftModel, savePeftAdapter } from '../../../src/index.js';
import { perturbTrainable } from '../../helpers/perturb.js';
import { referenceEmbed } from './reference.js';

const dir = mkdtempSync(join(tmpdir(), 'edora-use-merge-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('merge into USE-Lite writes a TF.js model that TF.js and edora read back to the adapted embeddings', async () => {
  const model = loadUseLite();
  const pm = PeftModel.create(model, { method: 'edora', r: 8, targetModules: 'all-linear' });
  perturbTrainable(pm, 11, 0.05);
  const adapterDir = join(dir, 'adapter');
  savePeftAdapter(pm, adapterDir);
  const texts = ['A merged encoder.', 'It must give the adapted embeddings, token for token!'];
  const expected = noGrad(() => model.embed(texts).toArray());
  const plain = noGrad(() => loadUseLite().embed(texts).toArray());
  assert.ok(
    expected.some((v, i) => Math.abs(v - plain[i]!) > 1e-3),
    'the adapter changes the embeddings',
  );

  const out = join(dir, 'merged');
  const r = spawnSync(
    process.execPath,
    ['bin/edora.js', 'merge', '--model', 'use-lite', '--adapter', adapterDir, '--out', out],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['group1-shard1of1.bin', 'model.json', 'vocab.json']);

  const ours = noGrad(() => loadUseLite(out).embed(texts).toArray());
  for (let i = 0; i < ours.length; i++)
    assert.ok(Math.abs(ours[i]! - expected[i]!) < 1e-5, `ours[${i}]`);
  const rows = texts.map((t) => model.tokenizer.encode(t));
  const graph = await referenceEmbed(rows, out);
  for (let i = 0; i < graph.length; i++)
    assert.ok(Math.abs(graph[i]! - expected[i]!) < 1e-4, `TF.js[${i}]`);
  assert.equal(existsSync(join(dir, 'merged.tmp')), false);
});
