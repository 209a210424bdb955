/**
 * Resumable training checkpoints. A checkpoint is a directory:
 *
 *   adapter/                 the active adapter in PEFT's format (savePeftAdapter),
 *                            modulesToSave copies (the classifier head) included
 *   optimizer.safetensors    AdamW's moments and per-parameter steps (AdamW.state()),
 *                            metadata: optimizer step and each group's current lr
 *   state.json               TrainState: step, epoch, batch, RNG state, best metric, history,
 *                            and the run's settings (method, batch size, gradient
 *                            accumulation, learning rates) that a resume must share
 *
 * It is written into a temporary directory and renamed into place (see
 * io/replace-dir.ts), so `dir` always holds one complete checkpoint. Loading
 * checks everything (files, keys, shapes, adapter config) before it changes
 * the model or the optimizer, and then restores them in place, bit for bit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { recoverDir, replaceDir } from '../io/replace-dir.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import { CONFIG_FILE, fromAdapterConfigJson, KEY_PREFIX, WEIGHTS_FILE } from '../peft/format.js';
import type { PeftModel } from '../peft/model.js';
import {
  adapterConfigJson,
  adapterStateDict,
  loadAdapterTensors,
  savePeftAdapter,
} from '../peft/save.js';
import type { Random, RandomState } from '../tensor/random.js';
import { formatShape, type Tensor } from '../tensor/tensor.js';
import type { AdamW } from './optimizer.js';
import { type ResumeSettings, settingsProblem } from './resume-settings.js';

export interface TrainState {
  /** Optimizer steps taken. */
  step: number;
  epoch: number;
  /** Batches of the current epoch already consumed. */
  batchInEpoch: number;
  /** The trainer's Random state (shuffling, dropout) at this point. */
  rng: RandomState;
  /**
   * Other generators to restore, by a name of the trainer's choosing: the
   * adapters' and Dropout modules' own Randoms draw the dropout masks, so a
   * run with dropout > 0 resumes exactly only if their states come back too.
   */
  rngs?: Record<string, RandomState>;
  bestMetric: number | null;
  bestStep: number | null;
  /** Per-epoch records (JSON-serialisable). */
  history: unknown[];
  /** The settings a resume must share (absent in checkpoints written before they were recorded). */
  settings?: ResumeSettings;
}

export const ADAPTER_DIR = 'adapter';
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const STATE_FILE = 'state.json';
const FORMAT = 'edora-train-checkpoint';
const VERSION = 1;

function checkState(s: TrainState, where: string): void {
  const isCount = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new Error(`${where}: field '${field}' must be ${expected}, got ${JSON.stringify(got)}`);
  };
  for (const f of ['step', 'epoch', 'batchInEpoch'] as const)
    if (!isCount(s[f])) fail(f, 'an integer ≥ 0', s[f]);
  const isWords = (w: unknown): boolean =>
    Array.isArray(w) &&
    w.length === 4 &&
    w.some((x) => x !== 0) &&
    w.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff);
  if (!isWords(s.rng)) fail('rng', 'four 32-bit unsigned integers, not all 0', s.rng);
  if (s.rngs !== undefined) {
    if (s.rngs === null || typeof s.rngs !== 'object' || Array.isArray(s.rngs))
      fail('rngs', 'an object of named RNG states', s.rngs);
    for (const [k, w] of Object.entries(s.rngs))
      if (!isWords(w)) fail(`rngs.${k}`, 'four 32-bit unsigned integers, not all 0', w);
  }
  if (s.bestMetric !== null && !Number.isFinite(s.bestMetric))
    fail('bestMetric', 'a finite number or null', s.bestMetric);
  if (s.bestStep !== null && !isCount(s.bestStep))
    fail('bestStep', 'an integer ≥ 0 or null', s.bestStep);
  if (!Array.isArray(s.history)) fail('history', 'an array', s.history);
  if (s.settings !== undefined) {
    const problem = settingsProblem(s.settings);
    if (problem) {
      const key = problem.field.split('.')[1];
      const got =
        key === undefined ? s.settings : (s.settings as unknown as Record<string, unknown>)[key];
      fail(problem.field, problem.expected, got);
    }
  }
}

/** Write (or replace) the checkpoint directory `dir`. */
export function saveCheckpoint(
  dir: string,
  peft: PeftModel,
  optimizer: AdamW,
  state: TrainState,
): void {
  checkState(state, `saveCheckpoint ${dir}`);
  const opt = optimizer.state();
  replaceDir(dir, (tmp) => {
    savePeftAdapter(peft, join(tmp, ADAPTER_DIR));
    writeSafetensors(join(tmp, OPTIMIZER_FILE), opt.tensors, {
      format: 'edora-adamw',
      step: String(opt.step),
      lr: JSON.stringify(optimizer.groups.map((g) => g.lr)),
    });
    const { step, epoch, batchInEpoch, rng, rngs, settings, bestMetric, bestStep, history } = state;
    const json = {
      format: FORMAT,
      version: VERSION,
      step,
      epoch,
      batchInEpoch,
      rng,
      rngs,
      settings,
    };
    // history last: it is the one part whose serialisability is not checked up front.
    const text = JSON.stringify({ ...json, bestMetric, bestStep, history }, null, 1);
    writeFileAtomic(join(tmp, STATE_FILE), `${text}\n`);
  });
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: invalid JSON (${(e as Error).message})`);
  }
}

function readState(path: string): TrainState {
  const json = readJson(path);
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new Error(`${path}: expected a JSON object`);
  const o = json as Record<string, unknown>;
  if (o['format'] !== FORMAT)
    throw new Error(
      `${path}: field 'format' must be '${FORMAT}', got ${JSON.stringify(o['format'])}`,
    );
  if (o['version'] !== VERSION)
    throw new Error(`${path}: unsupported checkpoint version ${JSON.stringify(o['version'])}`);
  const state = {
    step: o['step'],
    epoch: o['epoch'],
    batchInEpoch: o['batchInEpoch'],
    rng: o['rng'],
    ...(o['rngs'] === undefined ? {} : { rngs: o['rngs'] }),
    ...(o['settings'] === undefined ? {} : { settings: o['settings'] }),
    bestMetric: o['bestMetric'],
    bestStep: o['bestStep'],
    history: o['history'],
  } as TrainState;
  checkState(state, path);
  return state;
}

/** The first top-level field where two adapter configs differ, or null. */
function configDifference(a: Record<string, unknown>, b: Record<string, unknown>): string | null {
  const ignore = new Set(['task_type', 'base_model_name_or_path', 'inference_mode', 'revision']);
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (ignore.has(k)) continue;
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return k;
  }
  return null;
}

/** Read and check the adapter's tensors against the model: key → saved tensor. */
function readAdapter(dir: string, peft: PeftModel): Map<string, Tensor> {
  const configPath = join(dir, ADAPTER_DIR, CONFIG_FILE);
  const weightsPath = join(dir, ADAPTER_DIR, WEIGHTS_FILE);
  const name = peft.activeAdapter;
  if (name === null || !peft.configs.has(name))
    throw new Error(`loadCheckpoint ${dir}: the PeftModel has no active adapter`);
  if ([...peft.adapters()].some(([, a]) => a.merged))
    throw new Error(`loadCheckpoint ${dir}: the adapter is merged; unmerge it first`);
  const saved = readJson(configPath) as Record<string, unknown>;
  // Another method first, by name: its tensors and optimizer state differ everywhere.
  const savedMethod = fromAdapterConfigJson(saved, configPath).method;
  const method = peft.configs.get(name)!.method;
  if (savedMethod !== method)
    throw new Error(
      `${configPath}: the checkpoint holds a ${savedMethod} adapter, the model's is ${method}`,
    );
  const mine = JSON.parse(JSON.stringify(adapterConfigJson(peft, name))) as Record<string, unknown>;
  const field = configDifference(saved, mine);
  if (field !== null) {
    throw new Error(
      `${configPath}: field '${field}' is ${JSON.stringify(saved[field])}, the model's adapter has ${JSON.stringify(mine[field])}`,
    );
  }
  const { tensors } = readSafetensors(weightsPath);
  const expected = adapterStateDict(peft);
  for (const [key, t] of expected) {
    const src = tensors.get(key);
    if (!src) throw new Error(`${weightsPath}: missing tensor '${key}'`);
    if (src.shape.join() !== t.shape.join())
      throw new Error(
        `${weightsPath}: tensor '${key}' has shape ${formatShape(src.shape)}, the model expects ${formatShape(t.shape)}`,
      );
  }
  for (const key of tensors.keys())
    if (!expected.has(key))
      throw new Error(`${weightsPath}: tensor '${key}' has no place in the model`);
  return tensors;
}

/**
 * Restore a checkpoint written by saveCheckpoint: the active adapter's
 * tensors (in place), the optimizer's state and learning rates; returns the
 * TrainState. Nothing is changed unless every part checks out. `check` sees
 * the saved state first, before any other file is read (the trainer refuses
 * a resume with other settings there, by name).
 */
export function loadCheckpoint(
  dir: string,
  peft: PeftModel,
  optimizer: AdamW,
  check?: (saved: TrainState) => void,
): TrainState {
  recoverDir(dir);
  const statePath = join(dir, STATE_FILE);
  if (!existsSync(statePath))
    throw new Error(`${dir}: no ${STATE_FILE} (not an edora training checkpoint)`);
  const state = readState(statePath);
  check?.(state);
  // The adapter before the optimizer: a mismatch is best named by the adapter's config.
  const adapterTensors = readAdapter(dir, peft);
  const optPath = join(dir, OPTIMIZER_FILE);
  const { tensors: optTensors, metadata } = readSafetensors(optPath);
  const optStep = Number(metadata?.['step']);
  let lrs: unknown;
  try {
    lrs = JSON.parse(metadata?.['lr'] ?? 'null');
  } catch {
    lrs = null;
  }
  if (!Number.isInteger(optStep) || optStep < 0)
    throw new Error(
      `${optPath}: metadata 'step' must be an integer ≥ 0, got ${metadata?.['step']}`,
    );
  const groups = optimizer.groups.length;
  if (
    !Array.isArray(lrs) ||
    lrs.length !== groups ||
    lrs.some((x) => typeof x !== 'number' || !(x >= 0))
  )
    throw new Error(
      `${optPath}: metadata 'lr' must list ${groups} learning rates (one per parameter group), got ${metadata?.['lr']}`,
    );
  try {
    optimizer.loadState({ step: optStep, tensors: optTensors });
  } catch (e) {
    throw new Error(`${optPath}: ${(e as Error).message}`);
  }
  for (const [i, lr] of (lrs as number[]).entries()) optimizer.setLr(i, lr);
  loadAdapterTensors(
    peft,
    peft.activeAdapter!,
    adapterTensors,
    join(dir, ADAPTER_DIR, WEIGHTS_FILE),
  );
  for (const [path, params] of peft.savedModules()) {
    for (const [key, t] of params) {
      const src = adapterTensors.get(`${KEY_PREFIX}${path}.${key}`)!;
      t.data.set(src.data, t.offset);
    }
  }
  return state;
}

/** Copies of the trainable tensors' values: the best evaluation's, put back at the end of a run. */
export type TensorValues = (Float32Array | Float64Array)[];

export function copyValues(tensors: readonly Tensor[]): TensorValues {
  return tensors.map((t) => t.data.slice(t.offset, t.offset + t.size));
}

export function restoreValues(tensors: readonly Tensor[], values: TensorValues): void {
  tensors.forEach((t, i) => {
    t.data.set(values[i]!, t.offset);
  });
}

/**
 * The values of the trainable tensors in the adapter saved in `bestDir` (a
 * run's best evaluation, written before it was interrupted), in the order of
 * `trainable`.
 */
export function readBestValues(
  bestDir: string,
  peft: PeftModel,
  trainable: readonly Tensor[],
): TensorValues {
  const saved = readSafetensors(join(bestDir, WEIGHTS_FILE)).tensors;
  const keyOf = new Map([...adapterStateDict(peft)].map(([k, t]) => [t, k]));
  return trainable.map((t) => {
    const v = saved.get(keyOf.get(t) ?? '');
    if (!v) throw new Error(`${bestDir}: no saved value for a trainable tensor (${keyOf.get(t)})`);
    return Float32Array.from(v.data);
  });
}

/** Puts back the generators' states a checkpoint saved (TrainState.rngs), by their keys. */
export function restoreGenerators(
  generators: ReadonlyMap<string, Random>,
  saved: TrainState['rngs'],
): void {
  if (!saved) return;
  for (const [key, rng] of generators) {
    const state = saved[key];
    if (state) rng.setState(state);
  }
}
