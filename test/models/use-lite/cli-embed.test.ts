import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { register, runEmbed } from '../../../src/cli/commands/embed.js';
import { noGrad, PeftModel, savePeftAdapter } from '../../../src/index.js';
import { atomicFileIo } from '../../../src/io/atomic.js';
import { loadUseLite } from '../../../src/models/use-lite/index.js';
import { perturbTrainable } from '../../helpers/perturb.js';

const dir = mkdtempSync(join(tmpdir(), 'edora-embed-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('edora embed writes one JSON line per input line, equal to the library embeddings', async () => {
  const input = join(dir, 'in.txt');
  const out = join(dir, 'out.jsonl');
  const lines = ['First sentence.', '', 'Third: ünïcödé 😀'];
  writeFileSync(input, `${lines.join('\r\n')}\n`);
  const program = new Command().exitOverride();
  register(program);
  await program.parseAsync(
    ['embed', '--model', 'use-lite', '--input', input, '--out', out, '--batch-size', '2'],
    {
      from: 'user',
    },
  );
  const rows = readFileSync(out, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { text: string; embedding: number[] });
  assert.deepEqual(
    rows.map((r) => r.text),
    lines,
  );
  const expected = noGrad(() => loadUseLite().embed(lines).toArray());
  // Batches of 2 against one batch of 3: equal up to GEMM blocking.
  rows.forEach((r, i) => {
    assert.equal(r.embedding.length, 512);
    r.embedding.forEach((v, j) => {
      assert.ok(Math.abs(v - expected[i * 512 + j]!) < 1e-6, `line ${i}, ${j}`);
    });
  });
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('.tmp')),
    [],
  );
});

test('bad input fails with one clear line and writes nothing', async () => {
  const out = join(dir, 'never.jsonl');
  const input = join(dir, 'ok.txt');
  writeFileSync(input, 'x\n');
  await assert.rejects(
    runEmbed({ model: 'use-lite', input: join(dir, 'missing.txt'), out }),
    /--input .*missing\.txt: cannot read \(no such file\)$/,
  );
  await assert.rejects(
    runEmbed({ model: 'use-lite', input, out, batchSize: '0' }),
    /--batch-size must be a positive integer, got '0'/,
  );
  await assert.rejects(
    runEmbed({ model: join(dir, 'nodir'), input, out }),
    /--model must be 'use-lite' or a directory/,
  );
  await assert.rejects(
    runEmbed({ model: 'use-lite', adapter: dir, input, out }),
    /no adapter_config\.json/,
  );
  const binary = join(dir, 'bin.txt');
  writeFileSync(binary, Buffer.from([0xff, 0xfe, 0x00, 0xc3]));
  await assert.rejects(
    runEmbed({ model: 'use-lite', input: binary, out }),
    /--input .*bin\.txt:1: the line is not valid UTF-8$/,
  );
  const nowhere = join(dir, 'no', 'such', 'dir.jsonl');
  await assert.rejects(runEmbed({ model: 'use-lite', input, out: nowhere }), {
    message: `${nowhere}: cannot write (ENOENT)`,
  });
  assert.equal(existsSync(out), false);
});

test('edora embed --adapter applies an EDoRA adapter saved in PEFT format', async () => {
  const model = loadUseLite();
  const pm = PeftModel.create(model, { method: 'edora', r: 4, targetModules: 'all-linear' });
  perturbTrainable(pm, 3, 0.05);
  const adapterDir = join(dir, 'adapter');
  savePeftAdapter(pm, adapterDir);
  const texts = ['an adapted encoder', 'gives other embeddings'];
  const expected = noGrad(() => model.embed(texts).toArray());
  const plain = noGrad(() => loadUseLite().embed(texts).toArray());
  assert.ok(
    expected.some((v, i) => Math.abs(v - plain[i]!) > 1e-4),
    'the adapter changes the embeddings',
  );
  const input = join(dir, 'adapted.txt');
  const out = join(dir, 'adapted.jsonl');
  writeFileSync(input, texts.join('\n'));
  await runEmbed({ model: 'use-lite', adapter: adapterDir, input, out });
  const got = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .flatMap((l) => (JSON.parse(l) as { embedding: number[] }).embedding);
  assert.equal(got.length, expected.length);
  for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - expected[i]!) < 1e-6);
});

test('Ctrl-C during edora embed stops at the next batch, exits 130 and leaves no temporary file', () => {
  const input = join(dir, 'long.txt');
  const out = join(dir, 'long.jsonl');
  writeFileSync(input, Array.from({ length: 6 }, (_, i) => `line ${i}`).join('\n'));
  const hook = fileURLToPath(new URL('../../helpers/signal-at.js', import.meta.url));
  const argv = ['--input', input, '--out', out, '--batch-size', '1'];
  const r = spawnSync(
    process.execPath,
    ['--import', hook, 'bin/edora.js', 'embed', '--model', 'use-lite', ...argv],
    {
      encoding: 'utf8',
      // Ctrl-C once the first line is written to the temporary file.
      env: { ...process.env, EDORA_TEST_SIGNAL: 'SIGINT', EDORA_TEST_SIGNAL_ON: '"text":"line 0"' },
    },
  );
  assert.equal(r.status, 130, `${r.signal} ${r.stderr}`);
  assert.match(r.stderr, /edora embed: interrupted; nothing written to .*long\.jsonl/);
  assert.equal(existsSync(out), false);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('long.jsonl')),
    [],
  );
});

test('a full disk: the error names --out, and no file or temporary file is left', async (t) => {
  const input = join(dir, 'full.txt');
  writeFileSync(input, 'one\ntwo\n');
  const out = join(dir, 'full.jsonl');
  // A write that fails as on a full disk (ENOSPC), without filling one.
  t.mock.method(atomicFileIo, 'writeSync', () => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  });
  await assert.rejects(runEmbed({ model: 'use-lite', input, out }), {
    message: `${out}: cannot write (ENOSPC)`,
  });
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('full.jsonl')),
    [],
  );
});

test('--out naming a device or a pipe is refused, not replaced', async () => {
  const input = join(dir, 'dev.txt');
  writeFileSync(input, 'one\n');
  const fifo = join(dir, 'pipe.jsonl');
  // As root, renaming over /dev/full would replace the device itself: a pipe stands in for it.
  if (spawnSync('mkfifo', [fifo]).status !== 0) return;
  await assert.rejects(runEmbed({ model: 'use-lite', input, out: fifo }), {
    message: `${fifo}: exists and is not a regular file (a pipe)`,
  });
  assert.ok(spawnSync('test', ['-p', fifo]).status === 0, 'the pipe is still a pipe');
});

test('edora embed refuses embeddings that overflow float32 (finite but huge adapter values)', async () => {
  const model = loadUseLite();
  const pm = PeftModel.create(model, { method: 'edora', r: 4, targetModules: 'all-linear' });
  const r = pm.adapters().get('encoder.layer.0.attention.qkv')!.tensors().get('lora_R.weight')!;
  r.data[1] = 3e38;
  const adapterDir = join(dir, 'huge-adapter');
  savePeftAdapter(pm, adapterDir);
  const input = join(dir, 'huge.txt');
  const out = join(dir, 'huge.jsonl');
  writeFileSync(input, 'first\nsecond\n');
  await assert.rejects(
    runEmbed({ model: 'use-lite', adapter: adapterDir, input, out }),
    /--input line 1: the model computes a non-finite embedding \((NaN|-?Infinity)\)/,
  );
  assert.equal(existsSync(out), false);
});
