/** Saving and loading PeftModel adapters in PEFT's format (see format.ts). */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { copyNamedTensors } from '../adapters/load-tensors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { checkFinite, valuesOf } from '../io/finite.js';
import { readJsonFile } from '../io/json-file.js';
import { makeDir } from '../io/make-dir.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import type { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { formatShape, type Tensor } from '../tensor/tensor.js';
import { peftConfig } from './config.js';
import {
  CONFIG_FILE,
  fromAdapterConfigJson,
  KEY_PREFIX,
  SEQ_CLS_HEADS,
  SHARED_KEY_PREFIX,
  toAdapterConfigJson,
  WEIGHTS_FILE,
} from './format.js';
import { LABELS_FILE, readAdapterLabels, writeAdapterLabels } from './labels.js';
import { PeftModel } from './model.js';
import { checkAdapterRanks } from './ranks.js';
import { PATTERNS } from './targets.js';

export interface SaveOptions {
  adapterName?: string;
  baseModel?: string | null;
  taskType?: string | null;
}

/** The adapter's tensors under their PEFT keys (format.ts), model-level ones once. */
export function adapterStateDict(pm: PeftModel, adapterName?: string): Map<string, Tensor> {
  const name = adapterName ?? pm.activeAdapter ?? undefined;
  const out = new Map<string, Tensor>();
  for (const [path, adapter] of pm.adapters(name)) {
    for (const [key, t] of adapter.tensors()) out.set(`${KEY_PREFIX}${path}.${key}`, t);
  }
  for (const [path, params] of pm.savedModules(name)) {
    for (const [key, t] of params) out.set(`${KEY_PREFIX}${path}.${key}`, t);
  }
  for (const [key, t] of pm.sharedTensors(name)) out.set(`${SHARED_KEY_PREFIX}${key}`, t);
  return out;
}

/**
 * Put a file's values into the adapter's per-layer and model-level tensors
 * (in place), each checked for presence and shape; errors name the file
 * and the key. The modulesToSave copies are the caller's.
 */
export function loadAdapterTensors(
  pm: PeftModel,
  name: string,
  tensors: ReadonlyMap<string, Tensor>,
  weightsPath: string,
): void {
  const under = (prefix: string, keys: Iterable<string>): Map<string, Tensor> =>
    new Map(
      [...keys].flatMap((k) => (tensors.has(prefix + k) ? [[k, tensors.get(prefix + k)!]] : [])),
    );
  for (const [path, adapter] of pm.adapters(name)) {
    const prefix = `${KEY_PREFIX}${path}.`;
    adapter.loadTensors(under(prefix, adapter.tensors().keys()), weightsPath, prefix);
  }
  const shared = pm.sharedTensors(name);
  copyNamedTensors(shared, under(SHARED_KEY_PREFIX, shared.keys()), weightsPath, SHARED_KEY_PREFIX);
}

/**
 * The adapter's adapter_config.json contents. 'all-linear' is written as the
 * paths it chose (as PEFT writes it), so the model's adapters are needed too.
 */
export function adapterConfigJson(
  pm: PeftModel,
  adapterName: string,
  options: Omit<SaveOptions, 'adapterName'> = {},
): Record<string, unknown> {
  const config = pm.configs.get(adapterName);
  if (!config) throw new Error(`no adapter named '${adapterName}'`);
  return toAdapterConfigJson(config, {
    ...options,
    targetPaths: [...pm.adapters(adapterName).keys()],
  });
}

/** Write adapter_config.json and adapter_model.safetensors into dir (each file atomically). */
export function savePeftAdapter(pm: PeftModel, dir: string, options: SaveOptions = {}): void {
  const name = options.adapterName ?? pm.activeAdapter;
  if (name === null) throw new Error('savePeftAdapter: no active adapter to save');
  if (!pm.configs.has(name)) throw new Error(`savePeftAdapter: no adapter named '${name}'`);
  const heads = [...pm.savedModules(name).keys()];
  if (options.taskType === 'SEQ_CLS' && !heads.some((p) => SEQ_CLS_HEADS.includes(p))) {
    throw new Error(
      `savePeftAdapter: task type SEQ_CLS needs the head in modulesToSave (one of ${SEQ_CLS_HEADS.join(', ')}): PEFT expects its weights in the file`,
    );
  }
  const json = adapterConfigJson(pm, name, options);
  const state = adapterStateDict(pm, name);
  // Checked before the directory appears (the writer checks again, without the hint).
  for (const [key, t] of state)
    checkFinite(
      join(dir, WEIGHTS_FILE),
      key,
      valuesOf(t),
      t.shape,
      'nothing was saved (did training diverge? a lower learning rate may help)',
    );
  makeDir(dir);
  writeSafetensors(join(dir, WEIGHTS_FILE), state, { format: 'pt' });
  writeFileAtomic(join(dir, CONFIG_FILE), `${JSON.stringify(json, null, 2)}\n`);
  const labels = pm.labels.get(name);
  if (labels) writeAdapterLabels(dir, labels);
  else rmSync(join(dir, LABELS_FILE), { force: true }); // not another adapter's stale map
}

/**
 * Load a saved adapter into `model` (wrapping it in a PeftModel, or adding to
 * an existing one). Every tensor must be present with the shape the model
 * implies; an error names the key and both shapes.
 */
export interface LoadOptions {
  adapterName?: string;
  /**
   * Skip the tensors of modules_to_save entries that name no module of this
   * model (a classifier head, given the bare encoder) and report those
   * entries here, once, when there are any. Without it they are an error.
   */
  onUnusedModulesToSave?: (names: string[]) => void;
}

export function loadPeftAdapter<M extends Module>(
  target: M | PeftModel<M>,
  dir: string,
  options: LoadOptions = {},
): PeftModel<M> {
  const configPath = join(dir, CONFIG_FILE);
  const weightsPath = join(dir, WEIGHTS_FILE);
  if (!existsSync(configPath))
    throw new Error(`${dir}: no ${CONFIG_FILE} (not a PEFT adapter directory)`);
  if (!existsSync(weightsPath)) throw new Error(`${dir}: no ${WEIGHTS_FILE}`);
  const opts = fromAdapterConfigJson(readJsonFile(configPath), configPath);
  const labels = readAdapterLabels(dir);
  const { tensors } = readSafetensors(weightsPath);
  // Before the config sizes anything: its ranks must be the file's.
  checkAdapterRanks(tensors, opts, configPath, weightsPath);
  const pm = target instanceof PeftModel ? target : new PeftModel(target);
  const name = options.adapterName ?? 'default';
  // The adapter is built with its own initialisation and the saved values
  // replace the initial ones below. PiSSA also rewrites W into its residual
  // W − s·B₀A₀, as PEFT does on load: the same SVD of the same W gives the
  // same residual the adapter was trained on. Should loading fail, W is put back.
  const rewritten =
    opts.initLoraWeights === 'pissa'
      ? pm.targetPaths(peftConfig(opts)).map((path) => {
          const w = (pm.model.getSubmodule(path) as Linear).weight;
          return { w, data: w.data.slice(w.offset, w.offset + w.size) };
        })
      : [];
  try {
    pm.addAdapter(name, opts);
  } catch (e) {
    // What the config asks of the model (a rank, a dropout, a target) is the file's fault.
    throw new Error(`${configPath}: ${(e as Error).message}`);
  }
  const unused = new Set<string>();
  try {
    const expected = adapterStateDict(pm, name);
    let unexpected = [...tensors.keys()].filter((k) => !expected.has(k));
    if (options.onUnusedModulesToSave) {
      unexpected = unexpected.filter((k) => {
        const entry = opts.modulesToSave?.find((m) =>
          PATTERNS.modulesToSave(m).test(k.slice(KEY_PREFIX.length)),
        );
        if (entry === undefined || !k.startsWith(KEY_PREFIX)) return true;
        unused.add(entry);
        return false;
      });
    }
    if (unexpected.length > 0) {
      throw new Error(
        `${weightsPath}: tensor '${unexpected[0]}' has no place in the model${unexpected.length > 1 ? ` (and ${unexpected.length - 1} more)` : ''}`,
      );
    }
    loadAdapterTensors(pm, name, tensors, weightsPath);
    for (const [path, params] of pm.savedModules(name)) {
      for (const [key, t] of params) {
        const full = `${KEY_PREFIX}${path}.${key}`;
        const src = tensors.get(full);
        if (!src) throw new Error(`${weightsPath}: missing tensor '${full}'`);
        if (src.shape.join() !== t.shape.join()) {
          // A head sized for the label map the caller built the model from.
          const map = labels
            ? ` (for the ${labels.length} labels of ${join(dir, LABELS_FILE)})`
            : '';
          throw new Error(
            `${weightsPath}: tensor '${full}' has shape ${formatShape(src.shape)}, the model expects ${formatShape(t.shape)}${map}`,
          );
        }
        t.data.set(src.data, t.offset);
      }
    }
  } catch (e) {
    pm.deleteAdapter(name);
    for (const { w, data } of rewritten) w.data.set(data, w.offset);
    throw e;
  }
  if (labels) pm.labels.set(name, labels);
  pm.setAdapter(name);
  if (unused.size > 0) options.onUnusedModulesToSave?.([...unused]);
  return pm;
}
