/**
 * The main job's table: each method's trainable parameters as a multiple of
 * LoRA's in the same run, in the table and in the rows (`--json`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BenchRow, benchTable, withLoraRatios } from '../../src/workflows/bench.js';
import type { FinetuneMethod } from '../../src/workflows/finetune.js';

const TASKS = ['spam'];

function row(method: FinetuneMethod, trainable: number): BenchRow {
  return {
    method,
    trainable,
    scores: { spam: { metric: 'accuracy', value: 0.9 } },
    validation: { spam: { metric: 'accuracy', value: 0.9 } },
    average: 0.9,
    validationAverage: 0.9,
    seconds: 1,
    ratioToLora: null,
  };
}

/** The table's cells by column name, one map per body row. */
function cells(table: string): Map<string, string>[] {
  const [header, , ...body] = table.split('\n');
  const names = header!.trim().split(/\s{2,}/);
  return body.map((line) => {
    const values = line.trim().split(/\s{2,}/);
    assert.equal(values.length, names.length, line);
    return new Map(names.map((n, i) => [n, values[i]!]));
  });
}

// Counts of the kind `edora bench` prints (r = 8, spam's two labels).
const COUNTS: [FinetuneMethod, number][] = [
  ['edora', 10_114],
  ['dora', 128_258],
  ['lora', 119_810],
  ['full', 6_976_770],
  ['probe', 1_026],
];

test('the ratio to LoRA is trainable / LoRA trainable, in the rows and in the table', () => {
  const rows = withLoraRatios(COUNTS.map(([m, n]) => row(m, n)));
  const lora = COUNTS.find(([m]) => m === 'lora')![1];
  const printed = cells(benchTable(rows, TASKS));
  for (const [i, [method, trainable]] of COUNTS.entries()) {
    const want = trainable / lora;
    assert.equal(rows[i]!.ratioToLora, want, method);
    const cell = printed[i]!.get('vs LoRA')!;
    assert.match(cell, /^[\d.]+× LoRA$/, `${method}: ${cell}`);
    // Printed to two significant figures at least: within 1% of the ratio.
    const shown = Number.parseFloat(cell);
    assert.ok(Math.abs(shown - want) <= 0.01 * want, `${method}: ${cell}, want ${want}`);
  }
  assert.equal(printed[COUNTS.findIndex(([m]) => m === 'lora')]!.get('vs LoRA'), '1.00× LoRA');
});

test('without LoRA in the run the ratio is null and the column says —', () => {
  const rows = withLoraRatios([row('edora', 10_114), row('dora', 128_258)]);
  assert.deepEqual(
    rows.map((r) => r.ratioToLora),
    [null, null],
  );
  for (const line of cells(benchTable(rows, TASKS))) assert.equal(line.get('vs LoRA'), '—');
});
