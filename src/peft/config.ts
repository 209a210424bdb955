/**
 * PeftConfig: which layers get adapters, and with what options. Field names
 * follow PEFT's LoraConfig (camelCase here, snake_case in adapter_config.json).
 */

import { resolveOptions } from '../adapters/options.js';
import { getMethod } from '../adapters/registry.js';
import { type AdapterConfig, DEFAULT_CONFIG, type MethodName } from '../adapters/types.js';
import { checkPatterns } from './targets.js';

export interface PeftConfig extends AdapterConfig {
  /**
   * Module names to adapt: a list matched like PEFT (a module whose path
   * equals a name or ends with `.name`), a regular expression source string
   * matched against the whole path, or 'all-linear' (every linear layer but
   * the classification / output head).
   */
  targetModules: string[] | string;
  /**
   * Only layers with these indices: by default the first number after a
   * named segment of the path (`encoder.layer.3.…`), as in PEFT. Needs a list
   * of targetModules.
   */
  layersToTransform: number[] | null;
  /** Segment names the layer index follows (`['layer']`); null takes the first numbered segment. */
  layersPattern: string[] | null;
  /** Modules never adapted: a list matched like targetModules, or a regular expression for the whole path. */
  excludeModules: string[] | string | null;
  /** Per-module rank overrides: regular expression (matched at the end of the path) → r. */
  rankPattern: Record<string, number>;
  /** Per-module alpha overrides, like rankPattern. */
  alphaPattern: Record<string, number>;
  /** Modules trained fully and saved with the adapter (e.g. a classifier head), matched like targetModules lists. */
  modulesToSave: string[];
  /** Seed for every random initialisation of this adapter. */
  seed: number;
}

export type PeftOptions = Partial<Omit<PeftConfig, 'options'>> & {
  method: MethodName;
  r: number;
  targetModules: string[] | string;
  /**
   * The method's own settings by their PEFT names (AdapterMethod.options):
   * typed values, or text as typed on a command line; checked, and the
   * missing ones take their defaults.
   */
  options?: Readonly<Record<string, unknown>>;
};

export function peftConfig(options: PeftOptions): PeftConfig {
  const method = getMethod(options.method);
  const config: PeftConfig = {
    ...DEFAULT_CONFIG,
    layersToTransform: null,
    layersPattern: null,
    excludeModules: null,
    rankPattern: {},
    alphaPattern: {},
    modulesToSave: [],
    seed: 0,
    ...options,
    method: options.method,
    options: resolveOptions(method, options.options ?? {}),
  };
  // PEFT refuses both combinations when it reads adapter_config.json, so edora does not write them.
  if (config.layersToTransform && typeof config.targetModules === 'string') {
    throw new Error(
      `layersToTransform needs a list of targetModules, not the pattern ${JSON.stringify(config.targetModules)} (as in PEFT)`,
    );
  }
  if (config.layersPattern && config.layersPattern.length > 0 && !config.layersToTransform) {
    throw new Error('layersPattern is only used with layersToTransform (as in PEFT)');
  }
  checkPatterns(config, (f) => f);
  return config;
}
