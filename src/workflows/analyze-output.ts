/**
 * What `edora analyze` writes: analysis.json (every point, and per run the
 * correlation and slope; NaN is written as null) and dm-dd.svg, DoRA's Fig. 2:
 * ΔD against ΔM, one colour per run, each layer's points joined in
 * checkpoint order. The directory appears whole or not at all.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDirAtomic } from '../io/output-dir.js';
import { renderSvg } from '../io/svg-chart.js';
import type { Analysis } from './analyze.js';

export const ANALYSIS_FILE = 'analysis.json';
export const CHART_FILE = 'dm-dd.svg';

const fmt = (v: number): string => (Number.isFinite(v) ? v.toPrecision(3) : 'n/a');

/** The legend's name of a run: its label with its correlation and slope. */
export function runLegend(run: Analysis['runs'][number]): string {
  return `${run.method} (r = ${fmt(run.correlation)}, slope = ${fmt(run.slope)})`;
}

export function dmDdChart(a: Analysis): Promise<string> {
  const values = a.runs.flatMap((run) =>
    run.checkpoints.flatMap((c) =>
      c.layers.map((p) => ({
        run: runLegend(run),
        layer: p.layer,
        step: c.step,
        dM: p.dM,
        dD: p.dD,
      })),
    ),
  );
  return renderSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `ΔD against ΔM per checkpoint (${a.layers.length} layer${a.layers.length === 1 ? '' : 's'} matching '${a.pattern}')`,
    width: 480,
    height: 320,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'dM',
        type: 'quantitative',
        title: 'ΔM (magnitude change)',
        scale: { zero: false },
      },
      y: {
        field: 'dD',
        type: 'quantitative',
        title: 'ΔD (direction change)',
        scale: { zero: false },
      },
      color: { field: 'run', type: 'nominal', title: 'run' },
      detail: { field: 'layer', type: 'nominal' },
      order: { field: 'step', type: 'quantitative' },
      tooltip: [{ field: 'layer' }, { field: 'step' }],
    },
  });
}

/** Write analysis.json and dm-dd.svg into `outDir` (which must not exist or be empty). */
export async function writeAnalysis(a: Analysis, outDir: string): Promise<void> {
  const svg = await dmDdChart(a);
  writeDirAtomic(outDir, (tmp) => {
    writeFileSync(join(tmp, ANALYSIS_FILE), `${JSON.stringify(a, null, 1)}\n`);
    writeFileSync(join(tmp, CHART_FILE), svg);
  });
}
