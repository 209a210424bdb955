/** `edora analyze`: DoRA's ΔM/ΔD learning-pattern analysis of runs kept with --keep-checkpoints. */
import type { Command } from 'commander';
import { checkOutputDir } from '../../io/output-dir.js';
import { type AnalyzedRun, analyzeRun } from '../../workflows/analyze.js';
import {
  ANALYSIS_FILE,
  CHART_FILE,
  runLegend,
  writeAnalysis,
} from '../../workflows/analyze-output.js';

/** `lora=DIR1,dora=DIR2`: each run's label and directory. */
export function parseRuns(text: string): AnalyzedRun[] {
  const runs = text.split(',').map((entry): AnalyzedRun => {
    const eq = entry.indexOf('=');
    if (eq <= 0 || eq === entry.length - 1)
      throw new Error(
        `--runs: expected comma-separated method=DIR entries (e.g. lora=out/lora,dora=out/dora), got '${entry}'`,
      );
    return { method: entry.slice(0, eq), dir: entry.slice(eq + 1) };
  });
  const seen = new Set<string>();
  for (const r of runs) {
    if (seen.has(r.method)) throw new Error(`--runs: the label '${r.method}' is given twice`);
    seen.add(r.method);
  }
  return runs;
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description(
      "DoRA's learning-pattern analysis: magnitude (ΔM) and direction (ΔD) change of the merged weights per checkpoint",
    )
    .requiredOption('--model <dir>', "the pretrained model: a Hugging Face directory or 'use-lite'")
    .requiredOption(
      '--runs <list>',
      'method=DIR,… : runs trained with --out DIR --keep-checkpoints (e.g. full=a,lora=b,dora=c)',
    )
    .option(
      '--layers <regex>',
      "the weights to analyse, by module path (default 'query'; USE-Lite: 'qkv', its fused query/key/value)",
    )
    .requiredOption('--out <dir>', 'output directory (must not exist or be empty)')
    .action(async (opts: { model: string; runs: string; layers?: string; out: string }) => {
      const runs = parseRuns(opts.runs);
      checkOutputDir(opts.out); // before the merging, which takes a while
      const analysis = analyzeRun(opts.model, runs, opts.layers);
      await writeAnalysis(analysis, opts.out);
      for (const run of analysis.runs)
        console.error(
          `edora analyze: ${runLegend(run)} over ${run.checkpoints.length} checkpoints`,
        );
      console.error(
        `edora analyze: ${analysis.layers.length} layers → ${opts.out}/${ANALYSIS_FILE}, ${opts.out}/${CHART_FILE}`,
      );
    });
}
