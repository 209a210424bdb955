/**
 * The study's markdown report: per task, one row per method and rank with
 * the chosen setting and the test metric's mean ± sample std over seeds; the
 * grid search behind each choice; and EDoRA against every other method,
 * paired by seed.
 */
import { markdownTable } from '../../io/markdown-table.js';
import { formatLoraRatio } from '../lora-ratio.js';
import { cellLabel } from './charts.js';
import { selectionSeeds } from './plan.js';
import type { CellResult, StudyResults } from './results.js';

/** Metrics print as percentages, as in `edora bench`. */
const pct = (v: number, digits = 2): string =>
  Number.isFinite(v) ? (100 * v).toFixed(digits) : '–';
const rate = (v: number | null): string =>
  v === null ? '–' : v.toExponential().replace('e+0', '');
const count = (v: number): string => v.toLocaleString('en-US');

/** Trainable parameters over LoRA's at the same rank (for a method without one: the only LoRA rank). */
function ratioToLora(c: CellResult, cells: readonly CellResult[]): string {
  const loras = cells.filter((o) => o.task === c.task && o.method === 'lora');
  const lora =
    c.r === null ? (loras.length === 1 ? loras[0] : undefined) : loras.find((o) => o.r === c.r);
  if (!lora || lora.trainable === 0) return '–';
  return formatLoraRatio(c.trainable / lora.trainable);
}

function taskSection(task: string, cells: readonly CellResult[], r: StudyResults): string[] {
  const mine = cells.filter((c) => c.task === task);
  const metric = mine[0]?.metric ?? '';
  const select = selectionSeeds(r.settings);
  return [
    `## ${task} (${metric}, %)`,
    '',
    markdownTable([
      [
        'method',
        'r',
        'trainable',
        '÷ LoRA',
        'lr',
        'head lr',
        'test mean ± std (n)',
        'validation mean',
      ],
      ...mine.map((c) => [
        c.method,
        c.r === null ? '–' : String(c.r),
        count(c.trainable),
        ratioToLora(c, cells),
        rate(c.chosen.lr),
        rate(c.chosen.headLr),
        `${pct(c.test.mean)} ± ${pct(c.test.std)} (${c.test.n})`,
        pct(c.validation.mean),
      ]),
    ]),
    '',
    `![${task}: test ${metric} against trainable parameters](tradeoff-${task}.svg)`,
    `![${task}: validation ${metric} per epoch](curves-${task}.svg)`,
    '',
    `### ${task}: grid search (validation ${metric}, mean over seed${select.length > 1 ? 's' : ''} ${select.join(', ')})`,
    '',
    markdownTable([
      ['method', 'r', 'lr', 'head lr', 'validation', 'chosen'],
      ...mine.flatMap((c) =>
        c.grid.map((g) => [
          c.method,
          c.r === null ? '–' : String(c.r),
          rate(g.lr),
          rate(g.headLr),
          pct(g.validation),
          g.lr === c.chosen.lr && g.headLr === c.chosen.headLr ? '✓' : '',
        ]),
      ),
    ]),
    '',
  ];
}

export function studyMarkdown(r: StudyResults): string {
  const s = r.settings;
  const b = s.budget;
  const failed = r.cells.flatMap((c) =>
    c.runs
      .filter((run) => run.error !== undefined)
      .map((run) => `${cellLabel(c)} seed ${run.seed}`),
  );
  const lines = [
    '# Study',
    '',
    `USE-Lite on ${s.tasks.join(', ')}; seeds ${s.seeds.join(', ')}; each learning-rate grid searched on ` +
      `seed${s.selectSeeds > 1 ? 's' : ''} ${selectionSeeds(s).join(', ')} by the validation metric, never the test split. ` +
      `${b.epochs} epoch${b.epochs > 1 ? 's' : ''} (probe ${b.probeEpochs})` +
      `${b.earlyStopping === null ? '' : `, early stopping after ${b.earlyStopping} evaluations without gain`}, ` +
      `batch ${b.batchSize}, alpha ${b.alpha}, ≤ ${b.maxTrain} training and ≤ ${b.maxEval} validation and test examples per task. ` +
      'Test figures are the mean ± sample standard deviation over seeds (n runs).',
    '',
    ...(failed.length ? [`Failed runs (left out of the figures): ${failed.join('; ')}.`, ''] : []),
    ...s.tasks.flatMap((t) => taskSection(t, r.cells, r)),
    '## EDoRA against each other method, paired by seed',
    '',
  ];
  if (r.paired.length === 0) {
    lines.push('No comparison: the study has no EDoRA row or no other method.', '');
  } else {
    lines.push(
      'Difference of the test metric (EDoRA − other, points of %), its sample std over seeds, ' +
        'the paired t statistic and its two-sided p-value (n − 1 degrees of freedom).',
      '',
      markdownTable([
        ['task', 'EDoRA r', 'against', 'n', 'mean difference', 'std', 't', 'p'],
        ...r.paired.map((p) => [
          p.task,
          p.r === null ? '–' : String(p.r),
          cellLabel({ method: p.against, r: p.againstR }),
          String(p.n),
          Number.isFinite(p.meanDiff) ? `${p.meanDiff >= 0 ? '+' : ''}${pct(p.meanDiff)}` : '–',
          pct(p.stdDiff),
          Number.isNaN(p.t) ? '–' : p.t.toFixed(2),
          Number.isNaN(p.p) ? '–' : p.p < 0.001 ? p.p.toExponential(1) : p.p.toFixed(3),
        ]),
      ]),
      '',
    );
  }
  return lines.join('\n');
}
