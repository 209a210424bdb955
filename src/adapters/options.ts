/**
 * A method's own settings (AdaLoRA's init_r and target_r, MELoRA's number of
 * mini-LoRAs, …): each method declares them (AdapterMethod.options) with the
 * name PEFT's config class gives them where PEFT has the method, so the same
 * name is used in adapter_config.json, in `--option name=value` and in
 * `PeftOptions.options`. One place checks them all, so a typo or a value
 * out of range is one line naming the method and the setting.
 */
import type { AdapterMethod, MethodOption, OptionValue } from './types.js';

function describe(o: MethodOption): string {
  if (o.choices) return `one of ${o.choices.join(', ')}`;
  if (o.kind === 'boolean') return 'true or false';
  const what = o.kind === 'integer' ? 'an integer' : 'a number';
  if (o.min !== undefined && o.max !== undefined) return `${what} in [${o.min}, ${o.max}]`;
  if (o.min !== undefined) return `${what} ≥ ${o.min}`;
  if (o.max !== undefined) return `${what} ≤ ${o.max}`;
  return what;
}

/**
 * One setting's value from what was given: a typed value (a config file, the
 * library) or the text typed on the command line, which is converted.
 */
function settingValue(o: MethodOption, given: unknown, where: string): OptionValue {
  const fail = (): never => {
    throw new Error(`${where} '${o.key}' must be ${describe(o)}, got ${JSON.stringify(given)}`);
  };
  let v: unknown = given;
  if (o.kind === 'boolean') {
    if (v === 'true') v = true;
    else if (v === 'false') v = false;
    if (typeof v !== 'boolean') fail();
    return v as boolean;
  }
  if (o.kind === 'string') {
    if (typeof v !== 'string' || (o.choices && !o.choices.includes(v))) fail();
    return v as string;
  }
  if (typeof v === 'string' && v.trim() !== '') v = Number(v);
  if (typeof v !== 'number' || !Number.isFinite(v)) fail();
  const n = v as number;
  if (o.kind === 'integer' && !Number.isSafeInteger(n)) fail();
  if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) fail();
  return n;
}

/**
 * Every setting of `method`, from the given ones and the declared defaults.
 * A key the method does not declare is refused with the list of those it
 * does. `where` starts each message ('--option', 'adapter_config.json: field').
 */
export function resolveOptions(
  method: AdapterMethod,
  given: Readonly<Record<string, unknown>> = {},
  where = `${method.name} option`,
): Record<string, OptionValue> {
  const declared = method.options ?? [];
  const byKey = new Map(declared.map((o) => [o.key, o]));
  for (const key of Object.keys(given)) {
    if (!byKey.has(key)) {
      const known = declared.map((o) => o.key);
      throw new Error(
        `${where} '${key}' is not a setting of ${method.name} (${known.length > 0 ? `it has ${known.join(', ')}` : 'it has none'})`,
      );
    }
  }
  const out: Record<string, OptionValue> = {};
  for (const o of declared)
    out[o.key] = given[o.key] === undefined ? o.default : settingValue(o, given[o.key], where);
  return out;
}

/**
 * `key=value` texts (the repeatable `--option` flag) as a record; the values
 * stay text until resolveOptions converts them for the method that declares
 * the key.
 */
export function parseOptionPairs(
  pairs: readonly string[],
  flag = '--option',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`${flag}: expected name=value, got '${pair}'`);
    const key = pair.slice(0, eq).trim();
    if (key in out) throw new Error(`${flag}: '${key}' is given twice`);
    out[key] = pair.slice(eq + 1).trim();
  }
  return out;
}

/**
 * The given settings that apply to `method` (those it declares). With
 * several methods in one run (bench, study), a setting applies to each
 * method that has it; one that no method of the run has is an error.
 */
export function optionsFor(
  method: AdapterMethod | undefined,
  given: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  if (!method) return {};
  const keys = new Set((method.options ?? []).map((o) => o.key));
  return Object.fromEntries(Object.entries(given).filter(([k]) => keys.has(k)));
}

/** Refuses settings that no method of the run declares. */
export function checkOptionsUsed(
  given: Readonly<Record<string, unknown>>,
  runMethods: readonly (AdapterMethod | undefined)[],
  flag = '--option',
): void {
  const declared = new Set(runMethods.flatMap((m) => (m?.options ?? []).map((o) => o.key)));
  for (const key of Object.keys(given)) {
    if (!declared.has(key)) {
      const names = runMethods.filter((m) => m !== undefined).map((m) => m!.name);
      throw new Error(
        `${flag}: '${key}' is not a setting of ${names.length > 0 ? names.join(', ') : 'any method of this run'}${declared.size > 0 ? ` (they have ${[...declared].join(', ')})` : ' (they have none)'}`,
      );
    }
  }
}
