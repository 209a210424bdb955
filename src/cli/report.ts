/**
 * The report folder of a training run: metrics.json, a markdown summary and
 * two SVG charts (training loss and the validation metric per epoch), drawn
 * with Vega-Lite and written atomically.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { markdownTable as table } from '../io/markdown-table.js';
import { replaceDir } from '../io/replace-dir.js';
import { renderSvg } from '../io/svg-chart.js';
import type { EpochRecord } from '../train/loop.js';

export interface RunSummary {
  task: string;
  method: string;
  metric: string;
  trainable: number;
  steps: number;
  seconds: number;
  best: { metric: string; value: number; epoch: number; step: number } | null;
  validation: Record<string, number>;
  test: Record<string, number>;
  history: EpochRecord[];
}

async function lineChart(
  title: string,
  values: { epoch: number; value: number }[],
  yTitle: string,
): Promise<string> {
  return renderSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 220,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: { zero: false } },
    },
  });
}

export function summaryMarkdown(s: RunSummary): string {
  const fmt = (v: number | undefined): string =>
    v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(4);
  const metricNames = [...new Set(s.history.flatMap((h) => Object.keys(h.metrics)))];
  return [
    `# ${s.task} · ${s.method}`,
    '',
    `${s.trainable.toLocaleString('en-US')} trainable parameters, ${s.steps} optimizer steps, ${s.seconds.toFixed(1)} s.`,
    s.best
      ? `Best validation ${s.best.metric} ${fmt(s.best.value)} at epoch ${s.best.epoch + 1} (step ${s.best.step}); its tensors are the saved adapter.`
      : 'No evaluation.',
    '',
    '## Per epoch',
    '',
    table([
      ['epoch', 'step', 'train loss', ...metricNames.map((m) => `validation ${m}`)],
      ...s.history.map((h) => [
        String(h.epoch + 1),
        String(h.step),
        fmt(h.trainLoss),
        ...metricNames.map((m) => fmt(h.metrics[m])),
      ]),
    ]),
    '',
    '## Test',
    '',
    table([Object.keys(s.test), Object.values(s.test).map(fmt)]),
    '',
    '![training loss](loss.svg)',
    '![validation metric](metric.svg)',
    '',
  ].join('\n');
}

export async function writeReport(dir: string, s: RunSummary): Promise<void> {
  const loss = await lineChart(
    `${s.task} · ${s.method}: training loss`,
    s.history.map((h) => ({ epoch: h.epoch + 1, value: h.trainLoss })),
    'mean training loss',
  );
  const metric = await lineChart(
    `${s.task} · ${s.method}: validation ${s.metric}`,
    s.history.map((h) => ({ epoch: h.epoch + 1, value: h.metrics[s.metric] ?? Number.NaN })),
    s.metric,
  );
  // A report of an earlier run in the same --out is replaced, never mixed.
  replaceDir(dir, (tmp) => {
    writeFileAtomic(join(tmp, 'metrics.json'), `${JSON.stringify(s, null, 2)}\n`);
    writeFileAtomic(join(tmp, 'summary.md'), summaryMarkdown(s));
    writeFileAtomic(join(tmp, 'loss.svg'), loss);
    writeFileAtomic(join(tmp, 'metric.svg'), metric);
  });
}
