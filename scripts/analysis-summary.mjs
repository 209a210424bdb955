#!/usr/bin/env node
/**
 * Summarises `edora analyze` outputs (analysis.json) for docs/results.md:
 * per run, the pooled Pearson r and slope of ΔD on ΔM that `edora analyze`
 * reports, and two views that separate what the pooled figure mixes:
 *
 * - over time, within one layer: r of ΔD on ΔM across that layer's
 *   checkpoints (how the layer's path bends);
 * - across layers, within one checkpoint: r of ΔD on ΔM across the layers at
 *   that step (the paper's Fig. 2 reads this way: one marker per step, one
 *   colour per layer). Needs at least 3 layers.
 *
 * Pooling points of every layer and step mixes both with the plain fact that
 * ΔM and ΔD both grow as training goes on, which pushes any method's pooled r
 * towards +1; the two views say whether the sign survives without it.
 *
 * Usage (after `npx tsc -p tsconfig.json`):
 *   node scripts/analysis-summary.mjs OUT.json LABEL=analysis-dir/analysis.json …
 * prints a markdown table and writes OUT.json.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { pearson } from '../dist/src/train/metrics.js';
import { slope } from '../dist/src/workflows/weight-change.js';

const [out, ...inputs] = process.argv.slice(2);
if (!out || inputs.length === 0 || inputs.some((a) => !a.includes('='))) {
  console.error('usage: analysis-summary.mjs OUT.json LABEL=path/analysis.json …');
  process.exit(2);
}

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const finite = (v) => (Number.isFinite(v) ? v : null);
const r = (points) =>
  points.length < 3
    ? null
    : finite(
        pearson(
          points.map((p) => p.dM),
          points.map((p) => p.dD),
        ),
      );

const summary = inputs.map((arg) => {
  const [label, file] = arg.split(/=(.*)/s);
  const a = JSON.parse(readFileSync(file, 'utf8'));
  return {
    label,
    model: a.model,
    pattern: a.pattern,
    layers: a.layers,
    runs: a.runs.map((run) => {
      const points = run.checkpoints.flatMap((c) => c.layers.map((p) => ({ ...p, step: c.step })));
      const byLayer = a.layers.map((layer) => {
        const path = points.filter((p) => p.layer === layer);
        return {
          layer,
          r: r(path),
          slope:
            path.length < 2
              ? null
              : finite(
                  slope(
                    path.map((p) => p.dM),
                    path.map((p) => p.dD),
                  ),
                ),
        };
      });
      const byStep = run.checkpoints.map((c) => ({ step: c.step, r: r(c.layers) }));
      const last = run.checkpoints.at(-1);
      return {
        method: run.method,
        checkpoints: run.checkpoints.length,
        steps: run.checkpoints.map((c) => c.step),
        points: points.length,
        pooled: { r: run.correlation, slope: run.slope },
        withinLayer: { median: median(byLayer.map((l) => l.r)), layers: byLayer },
        acrossLayers:
          a.layers.length < 3
            ? null
            : {
                median: median(byStep.map((s) => s.r)),
                negative: byStep.filter((s) => s.r !== null && s.r < 0).length,
                steps: byStep,
              },
        final: {
          step: last.step,
          meanDM: last.layers.reduce((s, p) => s + p.dM, 0) / last.layers.length,
          meanDD: last.layers.reduce((s, p) => s + p.dD, 0) / last.layers.length,
        },
      };
    }),
  };
});

const fmt = (v, d = 2) => (v === null || v === undefined ? '–' : v.toFixed(d));
const exp = (v) => (v === null || v === undefined ? '–' : v.toExponential(1));
for (const s of summary) {
  console.log(`\n${s.label} (${s.layers.length} layers matching '${s.pattern}')\n`);
  console.log(
    '| method | checkpoints | points | pooled r | pooled slope | within-layer r (median) | across-layer r (median; negative steps) | final ΔM | final ΔD |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const run of s.runs) {
    const across = run.acrossLayers
      ? `${fmt(run.acrossLayers.median)} (${run.acrossLayers.negative} of ${run.checkpoints})`
      : '–';
    console.log(
      `| ${run.method} | ${run.checkpoints} | ${run.points} | ${fmt(run.pooled.r)} | ${exp(run.pooled.slope)} | ${fmt(run.withinLayer.median)} | ${across} | ${exp(run.final.meanDM)} | ${exp(run.final.meanDD)} |`,
    );
  }
}
// Whole or not at all, as edora writes its files.
writeFileSync(`${out}.tmp`, `${JSON.stringify(summary, null, 1)}\n`);
renameSync(`${out}.tmp`, out);
