/**
 * The flags that examine EDoRA's gap (issue #11 item 5), shared by `edora
 * train`, `edora bench` and `edora study`: σ of R's initialisation, a
 * learning rate of its own for the magnitude vectors, and gradient clipping
 * per group. A flag that cannot affect any method of the run is refused
 * with one line rather than silently ignored.
 */
import type { Command } from 'commander';
import {
  checkOptionsUsed,
  optionsFor,
  parseOptionPairs,
  resolveOptions,
} from '../adapters/options.js';
import { findMethod } from '../adapters/registry.js';
import type { FinetuneMethod } from '../workflows/finetune.js';
import { hasMagnitude, hasR, magnitudeMethods, rMethods } from '../workflows/method-traits.js';
import { numberOption } from './options.js';

export interface TrainingFlagOptions {
  rInitStd?: string;
  magnitudeLr?: string;
  clipPerGroup?: boolean;
  option?: string[];
}

/** What the flags set; a field is absent when its flag was not given. */
export interface TrainingFlags {
  rInitStd?: number;
  magnitudeLr?: number;
  clipPerGroup?: boolean;
  /** Methods' own settings (`--option name=value`), as typed; each method takes those it declares. */
  methodOptions?: Record<string, string>;
}

export function addTrainingFlags(cmd: Command): Command {
  return cmd
    .option(
      '--r-init-std <x>',
      `σ of R's N(0, σ²) initialisation (${rMethods().join(', ')}; default 1e-5)`,
    )
    .option(
      '--magnitude-lr <x>',
      `learning rate of the magnitude vectors (${magnitudeMethods().join(', ')}; default: the adapter's --lr)`,
    )
    .option(
      '--option <name=value>',
      "a method's own setting, by its PEFT name (repeatable; `edora train --help` lists each method's)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--clip-per-group',
      "clip the adapter's gradient norm and the head's each to --max-grad-norm, instead of one global norm",
    );
}

/**
 * The flags' values, checked against the methods of the run and the
 * clipping each of them gets (0 = off).
 */
export function parseTrainingFlags(
  opts: TrainingFlagOptions,
  methods: readonly FinetuneMethod[],
  maxGradNorm: (method: FinetuneMethod) => number,
): TrainingFlags {
  const flags: TrainingFlags = {};
  const listed = methods.join(', ');
  if (opts.rInitStd !== undefined) {
    flags.rInitStd = numberOption('--r-init-std', opts.rInitStd);
    if (!methods.some(hasR))
      throw new Error(
        `--r-init-std: only ${rMethods().join(' and ')} have an R to initialise, not ${listed}`,
      );
  }
  if (opts.magnitudeLr !== undefined) {
    flags.magnitudeLr = numberOption('--magnitude-lr', opts.magnitudeLr);
    if (!methods.some(hasMagnitude))
      throw new Error(
        `--magnitude-lr: only ${magnitudeMethods().join(' and ')} have magnitude vectors, not ${listed}`,
      );
  }
  if (opts.clipPerGroup) {
    const unclipped = methods.find((m) => !(maxGradNorm(m) > 0));
    if (unclipped !== undefined)
      throw new Error(
        `--clip-per-group: ${unclipped} is not clipped (its max grad norm is 0); give --max-grad-norm > 0`,
      );
    flags.clipPerGroup = true;
  }
  if (opts.option !== undefined && opts.option.length > 0) {
    const given = parseOptionPairs(opts.option);
    const runMethods = methods.map((m) => findMethod(m));
    checkOptionsUsed(given, runMethods);
    // Each value checked now, against every method of the run that has the setting.
    for (const m of runMethods) if (m) resolveOptions(m, optionsFor(m, given), '--option');
    flags.methodOptions = given;
  }
  return flags;
}
