/**
 * Trainable-parameter counts for a method, rank and targets, from the
 * model's structure alone (no weights needed: only layer shapes are read).
 */
import { getMethod } from '../adapters/registry.js';
import type { MethodName } from '../adapters/types.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import type { PeftConfig } from './config.js';
import { isTarget, patternValue, type TargetSelection } from './targets.js';

export interface ParameterCount {
  method: MethodName;
  r: number;
  /** Adapted linear layers. */
  modules: number;
  /** Trainable adapter parameters (modulesToSave excluded). */
  trainable: number;
  /** Parameters of the base model. */
  base: number;
}

export function countAdapterParameters(
  model: Module,
  method: MethodName,
  r: number,
  targets: TargetSelection & Partial<Pick<PeftConfig, 'rankPattern'>>,
): ParameterCount {
  const m = getMethod(method);
  let modules = 0;
  let trainable = 0;
  for (const [path, mod] of model.namedModules()) {
    if (!(mod instanceof Linear) || path === '' || !isTarget(path, targets)) continue;
    const rank = patternValue(path, targets.rankPattern ?? {}, r);
    const max = Math.min(mod.outFeatures, mod.inFeatures);
    if (rank > max) throw new Error(`${path}: r = ${rank} exceeds min(d_out, d_in) = ${max}`);
    modules++;
    trainable += m.countTrainable(mod.outFeatures, mod.inFeatures, rank);
  }
  if (modules === 0)
    throw new Error(
      `no linear layer matches targetModules ${JSON.stringify(targets.targetModules)}`,
    );
  const base = model.parameters().reduce((s, t) => s + t.size, 0);
  return { method, r, modules, trainable, base };
}
