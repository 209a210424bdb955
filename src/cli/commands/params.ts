/** `edora params`: trainable-parameter table for methods and ranks, from a config alone. */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { METHOD_NAMES, type MethodName } from '../../adapters/types.js';
import { readJsonFile } from '../../io/json-file.js';
import { parseModelConfig, readModelConfig } from '../../models/config.js';
import { createModel } from '../../models/load.js';
import type { Module } from '../../nn/module.js';
import { countAdapterParameters, type ParameterCount } from '../../peft/count.js';
import { Random } from '../../tensor/random.js';

/** The targets of the EDoRA paper's RoBERTa setting. */
export const PAPER_TARGETS = ['query', 'value', 'attention.output.dense', 'output.dense'];

/** The model's structure from a model directory or a config.json path (weights are not read). */
function skeleton(modelArg: string): Module {
  let isFile = false;
  try {
    isFile = statSync(modelArg).isFile();
  } catch {
    throw new Error(`--model ${modelArg}: no such file or directory`);
  }
  const config = isFile
    ? parseModelConfig(readJsonFile(modelArg), modelArg)
    : readModelConfig(modelArg);
  return createModel(config, 'sequence-classification', new Random(0));
}

function parseList(value: string, what: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0)
    throw new Error(`${what}: expected a comma-separated list, got '${value}'`);
  return items;
}

function parseRanks(value: string): number[] {
  return parseList(value, '--r').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--r: '${s}' is not a positive integer`);
    return n;
  });
}

export function paramsTable(rows: ParameterCount[]): string {
  const fmt = (n: number): string => n.toLocaleString('en-US');
  const header = ['method', 'r', 'modules', 'trainable', '% of base'];
  const body = rows.map((c) => [
    c.method,
    String(c.r),
    String(c.modules),
    fmt(c.trainable),
    ((100 * c.trainable) / c.base).toFixed(4),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export function register(program: Command): void {
  program
    .command('params')
    .description(
      'trainable adapter parameters per method and rank, from a model directory or a config.json (no weights needed)',
    )
    .requiredOption('--model <dir|config.json>', 'model directory or config.json')
    .option(
      '--method <methods>',
      `comma-separated methods (${METHOD_NAMES.join(', ')})`,
      METHOD_NAMES.join(','),
    )
    .option('--r <ranks>', 'comma-separated ranks', '4,8,16,32')
    .option('--target <modules>', 'comma-separated target module names', PAPER_TARGETS.join(','))
    .option('--json', 'print one JSON object')
    .action(
      (opts: { model: string; method: string; r: string; target: string; json?: boolean }) => {
        const methods = parseList(opts.method, '--method').map((m) => {
          if (!METHOD_NAMES.includes(m as MethodName))
            throw new Error(
              `--method: unknown method '${m}' (expected ${METHOD_NAMES.join(', ')})`,
            );
          return m as MethodName;
        });
        const ranks = parseRanks(opts.r);
        const targets = parseList(opts.target, '--target');
        const model = skeleton(opts.model);
        const rows = methods.flatMap((method) =>
          ranks.map((r) =>
            countAdapterParameters(model, method, r, {
              targetModules: targets,
              layersToTransform: null,
            }),
          ),
        );
        if (opts.json) console.log(JSON.stringify({ model: opts.model, targets, rows }));
        else {
          console.log(
            `${opts.model}: ${rows[0]!.base.toLocaleString('en-US')} base parameters; targets ${targets.join(', ')}`,
          );
          console.log(paramsTable(rows));
        }
      },
    );
}
