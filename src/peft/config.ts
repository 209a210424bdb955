/**
 * PeftConfig: which layers get adapters, and with what options. Field names
 * follow PEFT's LoraConfig (camelCase here, snake_case in adapter_config.json).
 */
import {
  type AdapterConfig,
  DEFAULT_CONFIG,
  METHOD_NAMES,
  type MethodName,
} from '../adapters/types.js';

export interface PeftConfig extends AdapterConfig {
  /**
   * Module names to adapt: a list matched like PEFT (a module whose path
   * equals a name or ends with `.name`), a regular expression source string
   * matched against the whole path, or 'all-linear' (every linear layer but
   * the classification / output head).
   */
  targetModules: string[] | string;
  /** Only layers with these indices (found as `.layer.N.`, `.layers.N.`, `.h.N.`, `.block.N.`). */
  layersToTransform: number[] | null;
  /** Per-module rank overrides: regular expression (matched at the end of the path) → r. */
  rankPattern: Record<string, number>;
  /** Per-module alpha overrides, like rankPattern. */
  alphaPattern: Record<string, number>;
  /** Modules trained fully and saved with the adapter (e.g. a classifier head), matched like targetModules lists. */
  modulesToSave: string[];
  /** Seed for every random initialisation of this adapter. */
  seed: number;
}

export type PeftOptions = Partial<PeftConfig> & {
  method: MethodName | string;
  r: number;
  targetModules: string[] | string;
};

export function peftConfig(options: PeftOptions): PeftConfig {
  if (!METHOD_NAMES.includes(options.method as MethodName)) {
    throw new Error(
      `unknown adapter method '${options.method}' (expected one of: ${METHOD_NAMES.join(', ')})`,
    );
  }
  return {
    ...DEFAULT_CONFIG,
    layersToTransform: null,
    rankPattern: {},
    alphaPattern: {},
    modulesToSave: [],
    seed: 0,
    ...options,
    method: options.method as MethodName,
  };
}
