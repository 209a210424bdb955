/**
 * Every adapter `edora train` writes for USE-Lite works with every command
 * that takes --adapter: embed and merge run the encoder alone, so they take
 * the adapter's encoder part and ignore its classifier head, saying so once.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadPeftAdapter, noGrad, Random } from '../../../src/index.js';
import { UseLiteClassifier } from '../../../src/models/use-lite/classifier.js';
import { loadUseLite } from '../../../src/models/use-lite/load.js';

const root = mkdtempSync(join(tmpdir(), 'edora-use-train-'));
after(() => rmSync(root, { recursive: true, force: true }));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/edora.js', ...args], { encoding: 'utf8' });
const data = join(root, 'data.jsonl');
const texts = join(root, 'texts.txt');
const TEXTS = ['a good film', 'a bad plot, boring'];

before(() => {
  const rows = ['good fun', 'great film', 'bad plot', 'boring acting', 'nice', 'awful'].map(
    (text, i) => JSON.stringify({ text, label: i % 2 === 0 ? 'pos' : 'neg' }),
  );
  writeFileSync(data, `${rows.join('\n')}\n`);
  writeFileSync(texts, `${TEXTS.join('\n')}\n`);
});

/** The encoder's embeddings with the adapter, computed the way eval loads it (with its head). */
function expectedEmbeddings(adapter: string): number[] {
  const clf = new UseLiteClassifier(loadUseLite(), 2, new Random(0));
  loadPeftAdapter(clf, adapter);
  return noGrad(() => clf.use_lite.embed(TEXTS).toArray());
}

function close(got: number[], want: number[], what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < got.length; i++)
    assert.ok(Math.abs(got[i]! - want[i]!) < 1e-5, `${what} [${i}]: ${got[i]} vs ${want[i]}`);
}

for (const method of ['edora', 'probe']) {
  test(`a ${method} adapter from edora train works with embed and merge; the head is ignored, said once`, () => {
    const out = join(root, method);
    const t = cli(
      'train',
      '--model',
      'use-lite',
      '--method',
      method,
      '--r',
      '2',
      '--train',
      data,
      '--validation',
      data,
      '--max-steps',
      '1',
      '--batch-size',
      '6',
      '--lr',
      '5e-2',
      '--out',
      out,
    );
    assert.equal(t.status, 0, t.stderr);
    const adapter = join(out, 'adapter');
    const want = expectedEmbeddings(adapter);

    const embedded = join(root, `${method}.jsonl`);
    const e = cli(
      'embed',
      '--model',
      'use-lite',
      '--adapter',
      adapter,
      '--input',
      texts,
      '--out',
      embedded,
    );
    assert.equal(e.status, 0, e.stderr);
    const notice = e.stderr.split('\n').filter((l) => l.includes('ignored'));
    assert.deepEqual(notice, [
      `edora embed: the adapter's modules_to_save 'classifier' (a task head) has no use here: ignored`,
    ]);
    const rows = readFileSync(embedded, 'utf8').trim().split('\n');
    close(
      rows.flatMap((l) => JSON.parse(l).embedding as number[]),
      want,
      'embed',
    );

    if (method === 'probe') return; // merge takes the same path as for edora
    const merged = join(root, `${method}-merged`);
    const m = cli('merge', '--model', 'use-lite', '--adapter', adapter, '--out', merged);
    assert.equal(m.status, 0, m.stderr);
    assert.equal(m.stderr.split('\n').filter((l) => l.includes('ignored')).length, 1, m.stderr);
    close(
      noGrad(() => loadUseLite(merged).embed(TEXTS).toArray()),
      want,
      'merge',
    );
    const plain = noGrad(() => loadUseLite().embed(TEXTS).toArray());
    assert.ok(
      want.some((v, i) => Math.abs(v - plain[i]!) > 1e-6),
      'the adapter changes the embeddings',
    );
  });
}
