/**
 * Malformed safetensors files: every one must fail with one Error naming the
 * file (and the tensor or field), without huge allocations.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Random } from '../../src/index.js';
import {
  readSafetensors,
  readSafetensorsHeader,
  type SafetensorsContents,
} from '../../src/io/safetensors.js';

const FIX = join(process.cwd(), 'test/fixtures/safetensors');
const tmp = mkdtempSync(join(tmpdir(), 'edora-stbad-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const file = join(tmp, 'bad.safetensors');

function raw(json: string, dataBytes: number, len?: bigint): Buffer {
  const h = Buffer.from(json, 'utf8');
  const l = Buffer.alloc(8);
  l.writeBigUInt64LE(len ?? BigInt(h.length), 0);
  return Buffer.concat([l, h, Buffer.alloc(dataBytes)]);
}

function fails(bytes: Uint8Array, pattern: RegExp): void {
  writeFileSync(file, bytes);
  assert.throws(
    () => readSafetensors(file),
    (err: unknown) => {
      assert.ok(err instanceof Error, `not an Error: ${String(err)}`);
      assert.match(err.message, /bad\.safetensors/);
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes('\n'), 'one line');
      return true;
    },
  );
}

const W = (name: string, dtype: string, shape: unknown, offsets: unknown) =>
  `${JSON.stringify(name)}:${JSON.stringify({ dtype, shape, data_offsets: offsets })}`;

test('header length: absurd, past the end, too short, missing', () => {
  fails(
    raw('{}', 0, 0xffffffffffffffffn),
    /header length 18446744073709551615 exceeds the 100000000-byte limit/,
  );
  fails(raw('{}', 0, 2n ** 53n), /exceeds the 100000000-byte limit/);
  fails(raw('{}', 0, 100_000_001n), /exceeds/);
  fails(raw('{}', 0, 1000n), /header length 1000 runs past the end of the 10-byte file/);
  fails(raw('{}', 0, 0n), /too short/);
  fails(new Uint8Array(5), /not a safetensors file \(5 bytes/);
  fails(new Uint8Array(0), /not a safetensors file \(0 bytes/);
});

test('header text: UTF-8, JSON, object', () => {
  const bad = Buffer.concat([
    raw('{"a":1}', 0).subarray(0, 8),
    Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x20, 0x20, 0x20]),
  ]);
  fails(bad, /header is not valid UTF-8/);
  fails(raw('{"a":', 0), /header is not valid JSON/);
  fails(raw('[1, 2]', 0), /does not start with '\{'/);
  fails(raw('\ufeff{}', 0), /does not start with '\{'/);
  fails(raw('{"__metadata__":{"k":1}}', 0), /__metadata__ field 'k' must be a string/);
  fails(raw('{"__metadata__":[]}', 0), /__metadata__ must be an object/);
});

test('entries: dtype, shape, data_offsets, byte counts, overlap, gaps', () => {
  fails(raw(`{${W('w', 'F17', [1], [0, 4])}}`, 4), /tensor 'w': unknown dtype 'F17'/);
  fails(raw(`{${W('w', 'toString', [1], [0, 4])}}`, 4), /tensor 'w': unknown dtype 'toString'/);
  fails(raw('{"w":[1]}', 4), /tensor 'w': entry must be an object/);
  fails(
    raw(`{${W('w', 'F32', [-1], [0, 4])}}`, 4),
    /tensor 'w': shape \[-1\] must hold non-negative integers/,
  );
  fails(raw(`{${W('w', 'F32', [1.5], [0, 4])}}`, 4), /tensor 'w': shape/);
  fails(raw(`{${W('w', 'F32', '4', [0, 4])}}`, 4), /tensor 'w': shape must be an array/);
  fails(raw(`{${W('w', 'F32', [1], [0])}}`, 4), /tensor 'w': data_offsets must be \[begin, end\]/);
  fails(
    raw(`{${W('w', 'F32', [1], [4, 0])}}`, 4),
    /tensor 'w': data_offsets \[4, 0\] have begin after end/,
  );
  fails(
    raw(`{${W('w', 'F32', [1], [0, 8])}}`, 4),
    /tensor 'w': data_offsets \[0, 8\] run past the 4-byte data region/,
  );
  fails(
    raw(`{${W('w', 'F32', [2], [0, 4])}}`, 4),
    /tensor 'w': F32 shape \[2\] needs 8 bytes, data_offsets \[0, 4\] hold 4/,
  );
  fails(
    raw(`{${W('w', 'F32', [1e6, 1e6, 1e6], [0, 4])}}`, 4),
    /tensor 'w': F32 shape .* needs more than the file holds/,
  );
  fails(
    raw(`{${W('a', 'F32', [2], [0, 8])},${W('b', 'F32', [1], [4, 8])}}`, 8),
    /tensor '(a|b)' data_offsets overlap those of '(a|b)'/,
  );
  fails(
    raw(`{${W('a', 'F32', [1], [4, 8])}}`, 8),
    /tensor 'a' data_offsets leave a gap of 4 bytes/,
  );
  fails(
    raw(`{${W('a', 'F32', [1], [0, 4])}}`, 8),
    /the tensors cover 4 bytes of data but the file holds 8/,
  );
});

test('truncation at every length fails cleanly', () => {
  const full = readFileSync(join(FIX, 'mixed.safetensors'));
  for (let n = 0; n < full.length; n++) {
    writeFileSync(file, full.subarray(0, n));
    assert.throws(
      () => readSafetensors(file),
      (e: unknown) => e instanceof Error && e.message.includes(file),
      `length ${n}`,
    );
  }
});

test('random byte flips either read (no more elements than the file has bytes for) or fail with an Error naming the file', () => {
  const full = readFileSync(join(FIX, 'mixed.safetensors'));
  const headerEnd = 8 + Number(full.readBigUInt64LE(0));
  const rng = new Random(99);
  let failed = 0;
  for (let trial = 0; trial < 600; trial++) {
    const b = Buffer.from(full);
    const flips = 1 + Math.floor(rng.uniform() * 4);
    for (let k = 0; k < flips; k++) {
      // Mostly the length and the header, where structure lives.
      const pos = Math.floor(rng.uniform() * (rng.uniform() < 0.8 ? headerEnd : b.length));
      b[pos] = Math.floor(rng.uniform() * 256);
    }
    writeFileSync(file, b);
    let read: SafetensorsContents;
    try {
      // The file holds NaN and infinities on purpose (see the NaN test below).
      read = readSafetensors(file, { allowNonFinite: true });
    } catch (err) {
      failed++;
      assert.ok(
        err instanceof Error && err.message.includes(file),
        `trial ${trial}: ${String(err)}`,
      );
      assert.ok(!err.message.includes('\n'), `trial ${trial}: one line`);
      continue;
    }
    // A count, not a time: what a corrupted header makes the reader allocate stays within
    // the file (every readable dtype takes at least 2 bytes an element).
    const elements =
      [...read.tensors.values()].reduce((s, t) => s + t.size, 0) +
      [...read.integers.values()].reduce((s, t) => s + t.data.length, 0);
    assert.ok(
      2 * elements <= b.length,
      `trial ${trial}: ${elements} elements from ${b.length} bytes`,
    );
  }
  assert.ok(failed > 300, `only ${failed} of 600 corrupted files failed`);
});

test('a directory where the file should be is named, not a bare EISDIR', () => {
  const d = join(tmp, 'dir.safetensors');
  mkdirSync(d, { recursive: true });
  for (const read of [readSafetensors, readSafetensorsHeader]) {
    assert.throws(
      () => read(d),
      (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.match(err.message, /dir\.safetensors: is a directory, expected a safetensors file/);
        return true;
      },
    );
  }
});

test('a NaN or an infinity in a float tensor is an error naming the tensor and the element', () => {
  const json = `{${W('ok', 'F32', [2], [0, 8])},${W('w', 'F32', [2, 2], [8, 24])}}`;
  for (const [bad, word] of [
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
  ] as const) {
    const b = raw(json, 24);
    const data = new Float32Array([1, 2, 3, 4, bad, 6]);
    Buffer.from(data.buffer).copy(b, b.length - 24);
    fails(b, new RegExp(`tensor 'w' holds ${word} at \\[1,0\\] of shape \\[2,2\\]`));
  }
  // F16 and BF16 infinities count too.
  const half = raw(`{${W('h', 'F16', [2], [0, 4])}}`, 4);
  half.writeUInt16LE(0x7c00, half.length - 2);
  fails(half, /tensor 'h' holds Infinity/);
});
