/**
 * Adapter methods by name. A new method is one file plus one line in
 * BUILTIN below (or a registerMethod call, for a method that lives outside
 * edora). Every list and table of methods elsewhere (METHOD_NAMES, the CLI's
 * choices, DEFAULT_LR, …) is derived from here with methodList/methodTable,
 * which stay up to date when a method is registered later.
 */
import { dora } from './dora.js';
import { edora } from './edora.js';
import { lora } from './lora.js';
import { loraXs } from './lora-xs.js';
import { resolveOptions } from './options.js';
import {
  type AdapterConfig,
  type AdapterMethod,
  DEFAULT_CONFIG,
  type MethodName,
} from './types.js';

const BUILTIN: readonly AdapterMethod[] = [lora, dora, loraXs, edora];

const METHODS = new Map<MethodName, AdapterMethod>();
/** Called with each newly registered method: keeps the derived lists and tables current. */
const followers: ((m: AdapterMethod) => void)[] = [];
/** Names that derived tables use for what is not an adapter ('full', 'probe'). */
const reserved = new Set<string>();

/** Add a method: it is then available to the library, the CLI, save/load and `params`. */
export function registerMethod(method: AdapterMethod): void {
  const { name } = method;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
    throw new Error(`registerMethod: name '${name}' must be lowercase letters, digits and '-'`);
  if (METHODS.has(name) || reserved.has(name))
    throw new Error(`registerMethod: a method named '${name}' already exists`);
  for (const e of method.exports) {
    if (e.as !== name && !METHODS.has(e.as))
      throw new Error(`registerMethod: ${name} exports as '${e.as}', which is not registered`);
  }
  METHODS.set(name, method);
  for (const f of followers) f(method);
}

for (const m of BUILTIN) registerMethod(m);

/** The registered methods, in registration order. */
export function methods(): AdapterMethod[] {
  return [...METHODS.values()];
}

/**
 * The registered methods' names followed by `extra`, as an array that grows
 * (before the extras) when a method is registered.
 */
export function methodList<E extends string>(
  extra: readonly E[] = [],
): readonly (MethodName | E)[] {
  for (const e of extra) reserved.add(e);
  const list: string[] = [...METHODS.keys(), ...extra];
  followers.push((m) => list.splice(list.length - extra.length, 0, m.name));
  return list;
}

/**
 * A value per registered method (`pick`), then the `extra` entries, as a
 * plain object that gains a key (before the extras) when a method is
 * registered.
 */
export function methodTable<T, E extends string = never>(
  pick: (m: AdapterMethod) => T,
  extra: Readonly<Record<E, T>> = {} as Record<E, T>,
): Record<MethodName, T> & Readonly<Record<E, T>> {
  for (const e of Object.keys(extra)) reserved.add(e);
  const table: Record<string, T> = {};
  const fill = (ms: Iterable<AdapterMethod>): void => {
    for (const e of Object.keys(extra)) delete table[e];
    for (const m of ms) table[m.name] = pick(m);
    Object.assign(table, extra);
  };
  fill(METHODS.values());
  followers.push((m) => fill([m]));
  return table as Record<MethodName, T> & Record<E, T>;
}

/**
 * `table[method]` from a methodTable (or a table like one), or an error
 * naming the table that has no entry for it.
 */
export function methodValue<T>(
  table: Readonly<Record<string, T>>,
  method: string,
  what: string,
): T {
  const v = table[method];
  if (v === undefined) throw new Error(`${what}: no value for method '${method}'`);
  return v;
}

/** Every registered method's name. */
export const METHOD_NAMES = methodList();

/** The method of that name, or undefined (for 'full', 'probe' and unknown names). */
export function findMethod(name: string): AdapterMethod | undefined {
  return METHODS.get(name);
}

export function getMethod(name: string): AdapterMethod {
  const m = METHODS.get(name);
  if (!m)
    throw new Error(
      `unknown adapter method '${name}' (expected one of: ${METHOD_NAMES.join(', ')})`,
    );
  return m;
}

/** A full config from partial options (PEFT-style defaults: alpha 16, dropout 0, …). */
export function adapterConfig(
  options: Partial<Omit<AdapterConfig, 'options'>> & {
    method: MethodName;
    r: number;
    /** The method's own settings (checked; defaults for those not given). */
    options?: Readonly<Record<string, unknown>>;
  },
): AdapterConfig {
  const method = getMethod(options.method);
  return {
    ...DEFAULT_CONFIG,
    ...options,
    options: resolveOptions(method, options.options ?? {}),
  };
}
