/**
 * Trainable-parameter counts for a method, rank and targets, from the
 * model's structure alone (no weights needed: only layer shapes are read).
 */
import { resolveOptions } from '../adapters/options.js';
import { getMethod } from '../adapters/registry.js';
import { type LayerShape, type MethodName, trainableCount } from '../adapters/types.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
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

/**
 * What counting needs of a model: the shapes of its linear layers and its
 * number of parameters. A built Module gives them, and so does a config alone
 * (models/structure.ts), which is how `edora params` counts a model too large
 * to build.
 */
export interface ModelShapes {
  linears: Iterable<{ path: string; inFeatures: number; outFeatures: number }>;
  parameters: number;
}

function shapesOf(model: Module): ModelShapes {
  const linears = [...model.namedModules()]
    .filter(([path, mod]) => mod instanceof Linear && path !== '')
    .map(([path, mod]) => ({
      path,
      inFeatures: (mod as Linear).inFeatures,
      outFeatures: (mod as Linear).outFeatures,
    }));
  return { linears, parameters: model.parameters().reduce((s, t) => s + t.size, 0) };
}

export function countAdapterParameters(
  model: Module | ModelShapes,
  method: MethodName,
  r: number,
  targets: TargetSelection &
    Partial<Pick<PeftConfig, 'rankPattern'>> & {
      /** The method's own settings (checked; defaults for those not given). */
      options?: Readonly<Record<string, unknown>>;
    },
): ParameterCount {
  const shapes = model instanceof Module ? shapesOf(model) : model;
  const m = getMethod(method);
  const options = resolveOptions(m, targets.options ?? {});
  const layers: LayerShape[] = [];
  let trainable = 0;
  for (const { path, inFeatures, outFeatures } of shapes.linears) {
    if (!isTarget(path, targets)) continue;
    const rank = patternValue(path, targets.rankPattern ?? {}, r);
    const max = Math.min(outFeatures, inFeatures);
    if (rank > max) throw new Error(`${path}: r = ${rank} exceeds min(d_out, d_in) = ${max}`);
    layers.push({ path, dOut: outFeatures, dIn: inFeatures, r: rank });
    trainable += trainableCount(m, outFeatures, inFeatures, rank, options);
  }
  if (layers.length === 0)
    throw new Error(
      `no linear layer matches targetModules ${JSON.stringify(targets.targetModules)}`,
    );
  // Model-level tensors count once, not per layer.
  trainable += m.countShared?.(layers, options) ?? 0;
  return { method, r, modules: layers.length, trainable, base: shapes.parameters };
}
