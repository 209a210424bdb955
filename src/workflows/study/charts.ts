/**
 * The study's charts, one pair per task: the test metric against trainable
 * parameters on a log axis (the paper's way of showing the trade-off; one
 * point per method and rank, the mean over seeds, a bar of ± one sample std),
 * and the learning curves (the validation metric per epoch, averaged over
 * the seeds of the chosen setting).
 */
import { renderSvg } from '../../io/svg-chart.js';
import type { CellResult } from './results.js';

export function cellLabel(c: { method: string; r: number | null }): string {
  return c.r === null ? c.method : `${c.method} r=${c.r}`;
}

/** Test metric (mean ± std over seeds) against trainable parameters, log x. */
export function tradeoffChart(task: string, cells: readonly CellResult[]): Promise<string> {
  const metric = cells[0]?.metric ?? 'metric';
  const values = cells
    .filter((c) => Number.isFinite(c.test.mean) && c.trainable > 0)
    .map((c) => {
      const std = Number.isFinite(c.test.std) ? c.test.std : 0;
      return {
        label: cellLabel(c),
        method: c.method,
        trainable: c.trainable,
        mean: c.test.mean,
        low: c.test.mean - std,
        high: c.test.mean + std,
      };
    });
  const x = {
    field: 'trainable',
    type: 'quantitative' as const,
    scale: { type: 'log' as const },
    title: 'trainable parameters (log scale)',
  };
  return renderSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${task}: test ${metric} against trainable parameters`,
    width: 460,
    height: 260,
    background: 'white',
    data: { values },
    layer: [
      {
        mark: { type: 'rule' },
        encoding: {
          x,
          y: { field: 'low', type: 'quantitative' },
          y2: { field: 'high' },
          color: { field: 'method', type: 'nominal' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          x,
          y: {
            field: 'mean',
            type: 'quantitative',
            title: `test ${metric} (mean ± std over seeds)`,
            scale: { zero: false },
          },
          color: { field: 'method', type: 'nominal', title: 'method' },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 7, dy: -7, fontSize: 10 },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative' },
          text: { field: 'label' },
        },
      },
    ],
  });
}

/** Validation metric per epoch, one line per method and rank (mean over the chosen setting's seeds). */
export function learningCurveChart(task: string, cells: readonly CellResult[]): Promise<string> {
  const metric = cells[0]?.metric ?? 'metric';
  const values = cells.flatMap((c) => {
    const byEpoch = new Map<number, number[]>();
    for (const run of c.runs) {
      for (const h of run.history) {
        const v = h.metrics[c.metric];
        if (v === undefined || v === null || !Number.isFinite(v)) continue;
        byEpoch.set(h.epoch, [...(byEpoch.get(h.epoch) ?? []), v]);
      }
    }
    return [...byEpoch]
      .sort((a, b) => a[0] - b[0])
      .map(([epoch, vs]) => ({
        series: cellLabel(c),
        epoch: epoch + 1,
        value: vs.reduce((a, b) => a + b, 0) / vs.length,
      }));
  });
  return renderSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${task}: validation ${metric} per epoch (mean over seeds)`,
    width: 460,
    height: 260,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: `validation ${metric}`,
        scale: { zero: false },
      },
      color: { field: 'series', type: 'nominal', title: 'method' },
    },
  });
}
