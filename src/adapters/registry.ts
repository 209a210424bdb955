/** Adapter methods by name. A new method is one file plus one line here. */
import { dora } from './dora.js';
import { edora } from './edora.js';
import { lora } from './lora.js';
import { loraXs } from './lora-xs.js';
import {
  type AdapterConfig,
  type AdapterMethod,
  DEFAULT_CONFIG,
  METHOD_NAMES,
  type MethodName,
} from './types.js';

const METHODS: Record<MethodName, AdapterMethod> = {
  lora,
  dora,
  'lora-xs': loraXs,
  edora,
};

export function getMethod(name: string): AdapterMethod {
  const m = METHODS[name as MethodName];
  if (!m)
    throw new Error(
      `unknown adapter method '${name}' (expected one of: ${METHOD_NAMES.join(', ')})`,
    );
  return m;
}

/** A full config from partial options (PEFT-style defaults: alpha 16, dropout 0, …). */
export function adapterConfig(
  options: Partial<AdapterConfig> & { method: MethodName | string; r: number },
): AdapterConfig {
  getMethod(options.method);
  return { ...DEFAULT_CONFIG, ...options, method: options.method as MethodName };
}
