/**
 * PEFT's on-disk format: adapter_config.json (snake_case LoraConfig fields)
 * and adapter_model.safetensors with keys
 *   base_model.model.<module path>.<suffix>   each tensor of an adapted layer,
 *                                             by the method's names (AdapterMethod.tensors)
 *   base_model.model.<module path>.<param>    modules_to_save copies
 *   base_model.<name>                         the method's model-level tensors
 *                                             (sharedTensors), once, as PEFT saves
 *                                             VeRA's shared projections
 * The low-rank family's suffixes:
 *   lora_A.weight [r, d_in], lora_B.weight [d_out, r],
 *   lora_magnitude_vector [d_out] (DoRA, EDoRA), lora_R.weight [r, r] (LoRA-XS, EDoRA; edora's own key)
 *
 * A method names its peft_type and the fields that tell it from others of
 * that type (AdapterMethod.peft): LoRA and DoRA adapters are plain PEFT LoRA
 * adapters (peft_type "LORA", use_dora). EDoRA and LoRA-XS need R, which
 * PEFT has no place for, so their peft_type is "EDORA" / "LORA_XS": PEFT
 * refuses them instead of silently dropping R. `edora export --to peft-dora`
 * turns EDoRA into plain DoRA.
 */

import { resolveOptions } from '../adapters/options.js';
import { getMethod, methods } from '../adapters/registry.js';
import { type AdapterMethod, MAX_SVD_ITERS, type MethodName } from '../adapters/types.js';
import type { PeftConfig, PeftOptions } from './config.js';
import { checkPatterns } from './targets.js';

export const CONFIG_FILE = 'adapter_config.json';
export const WEIGHTS_FILE = 'adapter_model.safetensors';
export const KEY_PREFIX = 'base_model.model.';
/** Where a method's model-level tensors are saved: `base_model.<name>`. */
export const SHARED_KEY_PREFIX = 'base_model.';

export interface AdapterConfigExtras {
  baseModel?: string | null;
  taskType?: string | null;
  /**
   * The paths the adapter was applied to. With targetModules 'all-linear'
   * they are written instead of the shorthand, as PEFT does, so that the
   * adapter lands on the same layers wherever it is loaded.
   */
  targetPaths?: string[];
}

/** adapter_config.json contents for a config. */
export function toAdapterConfigJson(
  config: PeftConfig,
  extra: AdapterConfigExtras = {},
): Record<string, unknown> {
  const method = getMethod(config.method);
  const json: Record<string, unknown> = {
    peft_type: method.peft.peftType,
    task_type: extra.taskType ?? null,
    base_model_name_or_path: extra.baseModel ?? null,
    r: config.r,
    lora_alpha: config.alpha,
    lora_dropout: config.dropout,
    use_rslora: config.useRslora,
    // LoraConfig's field, in its place; the method's configFields set it.
    use_dora: false,
    target_modules:
      config.targetModules === 'all-linear' && extra.targetPaths
        ? extra.targetPaths
        : config.targetModules,
    exclude_modules: config.excludeModules,
    layers_to_transform: config.layersToTransform,
    layers_pattern: config.layersPattern,
    rank_pattern: config.rankPattern,
    alpha_pattern: config.alphaPattern,
    modules_to_save: config.modulesToSave.length > 0 ? config.modulesToSave : null,
    init_lora_weights: config.initLoraWeights === 'kaiming' ? true : config.initLoraWeights,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    revision: null,
  };
  Object.assign(json, method.peft.configFields);
  // The method's own settings, at the top level as PEFT's config classes write theirs.
  for (const o of method.options ?? []) json[o.key] = config.options[o.key] ?? o.default;
  // What edora's SVD-based initialisations need to be rebuilt exactly on load
  // (PiSSA rewrites W into its residual again; EDoRA and LoRA-XS keep A and B
  // frozen in the file, but the block also names the method).
  if (method.needsSvd || config.initLoraWeights === 'pissa') {
    json['edora'] = {
      method: config.method,
      r_init_std: config.rInitStd,
      svd_iters: config.svdIters,
      seed: config.seed,
    };
  }
  return json;
}

/** PEFT's SEQ_CLS task type always trains and saves the classification head under one of these names. */
export const SEQ_CLS_HEADS = ['classifier', 'score'];

/** adapter_config.json fields that say where an adapter came from and change no output. */
const DESCRIPTIVE = new Set([
  'base_model_name_or_path',
  'revision',
  'inference_mode',
  'peft_version',
  'auto_mapping',
  // Settings of features that are off unless another field turns them on (checked there).
  'megatron_core',
  'qalora_group_size',
  'eva_config',
  'loftq_config',
]);
/** Fields read by fromAdapterConfigJson. */
const READ = new Set([
  'peft_type',
  'task_type',
  'r',
  'lora_alpha',
  'lora_dropout',
  'use_rslora',
  'use_dora',
  'target_modules',
  'exclude_modules',
  'layers_to_transform',
  'layers_pattern',
  'rank_pattern',
  'alpha_pattern',
  'modules_to_save',
  'init_lora_weights',
  'edora',
]);
/** A value PEFT writes for a feature that is off. */
function isUnset(v: unknown): boolean {
  return (
    v === null ||
    v === undefined ||
    v === false ||
    v === 'none' ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && v !== null && Object.keys(v).length === 0)
  );
}

/**
 * PEFT initialisations whose saved tensors are the whole adapter. PiSSA
 * (`pissa`, `pissa_niter_N`) also rewrites W into its residual, which the
 * loader redoes; the others that touch W (OLoRA, CorDA, LoftQ, …) are refused.
 */
function initOf(
  init: unknown,
  file: string,
): { init: PeftOptions['initLoraWeights']; svdIters?: number } {
  if (init === true || init === false || init === undefined || init === 'eva')
    return { init: 'kaiming' };
  if (init === 'gaussian') return { init: 'gaussian' };
  if (init === 'pissa') return { init: 'pissa' };
  const niter = typeof init === 'string' ? /^pissa_niter_(\d+)$/.exec(init) : null;
  if (niter) {
    const n = Number(niter[1]);
    if (n > MAX_SVD_ITERS)
      throw new Error(
        `${file}: field 'init_lora_weights' ${JSON.stringify(init)} asks for ${n} SVD iterations; at most ${MAX_SVD_ITERS} are allowed`,
      );
    return { init: 'pissa', svdIters: n };
  }
  throw new Error(
    `${file}: init_lora_weights ${JSON.stringify(init)} is not supported (edora loads true, false, "gaussian", "eva", "pissa" and "pissa_niter_N" adapters)`,
  );
}

function field<T>(
  json: Record<string, unknown>,
  key: string,
  file: string,
  check: (v: unknown) => v is T,
  expected: string,
): T {
  const v = json[key];
  if (!check(v))
    throw new Error(`${file}: field '${key}' must be ${expected}, got ${JSON.stringify(v)}`);
  return v;
}
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isPosInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const isNumRecord = (v: unknown): v is Record<string, number> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(isNum);
const isStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string');
const isStringOrStrings = (v: unknown): v is string | string[] =>
  typeof v === 'string' || isStrings(v);

/**
 * The method a config is: the one of its peft_type, or where several share
 * it (LoRA and DoRA), the one whose configFields the file agrees with (a
 * missing field reads as false, PEFT's default).
 */
function methodOfConfig(j: Record<string, unknown>, file: string): AdapterMethod {
  const peftType = j['peft_type'];
  const all = methods();
  const same = all.filter((m) => m.peft.peftType === peftType);
  if (same.length === 0) {
    const types = [...new Set(all.map((m) => JSON.stringify(m.peft.peftType)))];
    throw new Error(
      `${file}: peft_type ${JSON.stringify(peftType)} is not supported (expected ${types.slice(0, -1).join(', ')}${types.length > 1 ? ' or ' : ''}${types.at(-1)})`,
    );
  }
  if (same.length === 1) return same[0]!;
  const agrees = same.filter((m) =>
    Object.entries(m.peft.configFields).every(([k, v]) => (j[k] ?? false) === v),
  );
  if (agrees.length !== 1) {
    const fields = [...new Set(same.flatMap((m) => Object.keys(m.peft.configFields)))];
    throw new Error(
      `${file}: field${fields.length > 1 ? 's' : ''} ${fields.map((f) => `'${f}'`).join(', ')} must tell which ${JSON.stringify(peftType)} method this is (${same.map((m) => `${m.name}: ${JSON.stringify(m.peft.configFields)}`).join('; ')}), got ${JSON.stringify(Object.fromEntries(fields.map((f) => [f, j[f]])))}`,
    );
  }
  return agrees[0]!;
}

/** PeftOptions from adapter_config.json contents; every bad field is named. */
export function fromAdapterConfigJson(json: unknown, file: string): PeftOptions {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new Error(`${file}: expected a JSON object`);
  const j = json as Record<string, unknown>;
  const described = methodOfConfig(j, file);
  const method = described.name;
  const optionKeys = new Set((described.options ?? []).map((o) => o.key));
  const targets = field(
    j,
    'target_modules',
    file,
    isStringOrStrings,
    'a list of names or a regular expression',
  );
  const methodFields = new Set(methods().flatMap((m) => Object.keys(m.peft.configFields)));
  for (const [key, v] of Object.entries(j)) {
    if (
      !READ.has(key) &&
      !methodFields.has(key) &&
      !optionKeys.has(key) &&
      !DESCRIPTIVE.has(key) &&
      !isUnset(v)
    )
      throw new Error(
        `${file}: '${key}': ${JSON.stringify(v)} is a PEFT feature edora does not support`,
      );
  }
  if (typeof targets === 'string' && j['layers_to_transform'] != null) {
    throw new Error(`${file}: layers_to_transform needs a list of target_modules, not a pattern`);
  }
  const init = initOf(j['init_lora_weights'], file);
  const exclude =
    j['exclude_modules'] == null
      ? null
      : field(
          j,
          'exclude_modules',
          file,
          isStringOrStrings,
          'a list of names or a regular expression',
        );
  const layersPattern =
    j['layers_pattern'] == null
      ? null
      : field(j, 'layers_pattern', file, isStringOrStrings, 'a name or a list of names');
  const modulesToSave =
    j['modules_to_save'] === null || j['modules_to_save'] === undefined
      ? []
      : field(j, 'modules_to_save', file, isStrings, 'a list of names');
  // PEFT's PeftModelForSequenceClassification adds the head to modules_to_save itself.
  if (j['task_type'] === 'SEQ_CLS')
    for (const h of SEQ_CLS_HEADS) if (!modulesToSave.includes(h)) modulesToSave.push(h);
  const opts: PeftOptions = {
    method,
    r: field(j, 'r', file, isPosInt, 'a positive integer'),
    alpha: j['lora_alpha'] === undefined ? 8 : field(j, 'lora_alpha', file, isNum, 'a number'),
    dropout:
      j['lora_dropout'] === undefined ? 0 : field(j, 'lora_dropout', file, isNum, 'a number'),
    useRslora: j['use_rslora'] === true,
    targetModules: targets,
    layersToTransform:
      j['layers_to_transform'] === null || j['layers_to_transform'] === undefined
        ? null
        : typeof j['layers_to_transform'] === 'number'
          ? [j['layers_to_transform']]
          : field(
              j,
              'layers_to_transform',
              file,
              (v): v is number[] => Array.isArray(v) && v.every(Number.isInteger),
              'a list of layer indices',
            ),
    rankPattern:
      j['rank_pattern'] === undefined || j['rank_pattern'] === null
        ? {}
        : field(j, 'rank_pattern', file, isNumRecord, 'an object of numbers'),
    alphaPattern:
      j['alpha_pattern'] === undefined || j['alpha_pattern'] === null
        ? {}
        : field(j, 'alpha_pattern', file, isNumRecord, 'an object of numbers'),
    layersPattern:
      layersPattern === null || Array.isArray(layersPattern) ? layersPattern : [layersPattern],
    excludeModules: exclude,
    modulesToSave,
    initLoraWeights: init.init,
    options: resolveOptions(
      described,
      Object.fromEntries(Object.entries(j).filter(([k]) => optionKeys.has(k))),
      `${file}: field`,
    ),
  };
  if (init.svdIters !== undefined) opts.svdIters = init.svdIters;
  Object.assign(opts, edoraBlock(j, method, file));
  // Every regular expression compiles, or the field is named (not a SyntaxError mid-match).
  checkPatterns(opts as PeftConfig, (f) => `${file}: field '${SNAKE_CASE[f] ?? f}'`);
  return opts;
}

const SNAKE_CASE: Record<string, string> = {
  targetModules: 'target_modules',
  excludeModules: 'exclude_modules',
  modulesToSave: 'modules_to_save',
  layersPattern: 'layers_pattern',
  rankPattern: 'rank_pattern',
  alphaPattern: 'alpha_pattern',
};

/**
 * The `edora` block (what rebuilds an SVD-initialised adapter exactly). Its
 * fields drive work on load (svd_iters: power iterations over every adapted
 * weight), so each is checked and bounded, never silently ignored.
 */
function edoraBlock(
  j: Record<string, unknown>,
  method: MethodName,
  file: string,
): Pick<PeftOptions, 'rInitStd' | 'svdIters' | 'seed'> {
  if (j['edora'] === undefined || j['edora'] === null) return {};
  const block = field(
    j,
    'edora',
    file,
    (v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v),
    'an object',
  );
  const out: Pick<PeftOptions, 'rInitStd' | 'svdIters' | 'seed'> = {};
  for (const [key, v] of Object.entries(block)) {
    const fail = (expected: string): never => {
      throw new Error(
        `${file}: field 'edora.${key}' must be ${expected}, got ${JSON.stringify(v)}`,
      );
    };
    if (key === 'method') {
      if (v !== method) fail(`${JSON.stringify(method)} (the method peft_type and use_dora give)`);
    } else if (key === 'r_init_std') {
      if (!isNum(v) || v < 0) fail('a number ≥ 0');
      out.rInitStd = v as number;
    } else if (key === 'svd_iters') {
      if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > MAX_SVD_ITERS)
        fail(`an integer in [0, ${MAX_SVD_ITERS}]`);
      out.svdIters = v as number;
    } else if (key === 'seed') {
      if (!Number.isSafeInteger(v)) fail('an integer');
      out.seed = v as number;
    } else {
      throw new Error(
        `${file}: field 'edora.${key}' is unknown (expected method, r_init_std, svd_iters, seed)`,
      );
    }
  }
  return out;
}
