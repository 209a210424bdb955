/** `edora params`: trainable-parameter table for methods and ranks, from a config alone. */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { checkOptionsUsed, optionsFor, parseOptionPairs } from '../../adapters/options.js';
import { findMethod, methodList } from '../../adapters/registry.js';
import { readJsonFile } from '../../io/json-file.js';
import { parseModelConfig, readModelConfig } from '../../models/config.js';
import { describeModel, type ModelStructure, parameterCount } from '../../models/structure.js';
import { countAdapterParameters, type ModelShapes, type ParameterCount } from '../../peft/count.js';
import { SEQ_CLS_HEADS } from '../../peft/format.js';

/** The methods with a parameter count: the adapters, and full fine-tuning for reference. */
const PARAMS_METHODS = methodList(['full']);

/** The targets of the EDoRA paper's RoBERTa setting. */
export const PAPER_TARGETS = ['query', 'value', 'attention.output.dense', 'output.dense'];

/**
 * The parameters and linear layers of a model directory or a config.json
 * path, from the config alone: neither the weights nor the model are built.
 */
function structureFromConfig(modelArg: string): ModelStructure {
  let isFile = false;
  try {
    isFile = statSync(modelArg).isFile();
  } catch {
    throw new Error(`--model ${modelArg}: no such file or directory`);
  }
  const config = isFile
    ? parseModelConfig(readJsonFile(modelArg), modelArg)
    : readModelConfig(modelArg);
  return describeModel(config, 'sequence-classification');
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

/** Full fine-tuning's row: no rank, every module. */
export interface FullCount {
  method: 'full';
  r: null;
  modules: null;
  trainable: number;
  base: number;
}

/** Full fine-tuning trains every parameter; the head is left out, as in the adapter rows. */
export function countFullParameters(structure: ModelStructure): FullCount {
  const isHead = (path: string): boolean =>
    SEQ_CLS_HEADS.some((h) => path === h || path.startsWith(`${h}.`));
  const size = (list: ModelStructure['parameters']): number =>
    list.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  return {
    method: 'full',
    r: null,
    modules: null,
    trainable: size(structure.parameters.filter((p) => !isHead(p.path))),
    base: size(structure.parameters),
  };
}

export function paramsTable(rows: (ParameterCount | FullCount)[]): string {
  const fmt = (n: number): string => n.toLocaleString('en-US');
  const header = ['method', 'r', 'modules', 'trainable', '% of base'];
  const body = rows.map((c) => [
    c.method,
    c.r === null ? '-' : String(c.r),
    c.modules === null ? 'all' : String(c.modules),
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
      'trainable parameters per method and rank (head excluded), from a model directory or a config.json (no weights needed)',
    )
    .requiredOption('--model <dir|config.json>', 'model directory or config.json')
    .option(
      '--method <methods>',
      `comma-separated methods (${PARAMS_METHODS.join(', ')}; full: every weight, one row)`,
      PARAMS_METHODS.join(','),
    )
    .option('--r <ranks>', 'comma-separated ranks', '4,8,16,32')
    .option('--target <modules>', 'comma-separated target module names', PAPER_TARGETS.join(','))
    .option(
      '--option <name=value>',
      "a method's own setting, by its PEFT name (repeatable; `edora train --help` lists each method's)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--json', 'print one JSON object')
    .action(
      (opts: {
        model: string;
        method: string;
        r: string;
        target: string;
        option?: string[];
        json?: boolean;
      }) => {
        const methods = parseList(opts.method, '--method').map((m) => {
          if (!PARAMS_METHODS.includes(m))
            throw new Error(
              `--method: unknown method '${m}' (expected ${PARAMS_METHODS.join(', ')})`,
            );
          return m;
        });
        const given = parseOptionPairs(opts.option ?? []);
        checkOptionsUsed(
          given,
          methods.map((m) => findMethod(m)),
        );
        const ranks = parseRanks(opts.r);
        const targets = parseList(opts.target, '--target');
        const structure = structureFromConfig(opts.model);
        const model: ModelShapes = {
          linears: structure.linears,
          parameters: parameterCount(structure),
        };
        const rows = methods.flatMap((method): (ParameterCount | FullCount)[] =>
          method === 'full'
            ? [countFullParameters(structure)]
            : ranks.map((r) =>
                countAdapterParameters(model, method, r, {
                  targetModules: targets,
                  layersToTransform: null,
                  options: optionsFor(findMethod(method), given),
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
