/**
 * PeftModel: adapters injected into a model's linear layers by name, as
 * Hugging Face PEFT's LoraModel does: named adapters (add, set, disable,
 * delete), the trainable-parameter summary, merge, unmerge and
 * merge-and-unload. The base model is frozen; only the active adapter's
 * trainable tensors (and its modulesToSave copies) require gradients.
 *
 * Besides one adapter per layer, an adapter may hold model-level tensors
 * (its method's sharedTensors: a basis all layers share, one tensor for the
 * whole model), and its method may have training hooks the trainer calls
 * through afterStep / afterEpoch.
 */
import { getMethod } from '../adapters/registry.js';
import type { Adapter, LayerShape, MethodHookInfo } from '../adapters/types.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { type PeftConfig, type PeftOptions, peftConfig } from './config.js';
import { AdaptedLinear } from './layer.js';
import { isTarget, matchesSuffix, patternValue, type TargetSelection } from './targets.js';

interface SavedModule {
  module: Module;
  /** The module's own tensors, used when the adapter is disabled or deleted. */
  original: Map<string, Tensor>;
  /** The adapter's trainable copies. */
  copies: Map<string, Tensor>;
}

export interface TrainableSummary {
  trainable: number;
  all: number;
  percent: number;
  /** "trainable params: 49,152 || all params: … || trainable%: 0.0394", as PEFT prints. */
  text: string;
}

export class PeftModel<M extends Module = Module> {
  readonly configs = new Map<string, PeftConfig>();
  /**
   * Class names of the head an adapter trains (its modulesToSave), by
   * adapter name: saved beside the adapter as label_map.json (labels.ts), so
   * that whoever loads it answers with these names, not the base model's.
   */
  readonly labels = new Map<string, string[]>();
  private readonly hooks = new Map<string, AdaptedLinear>();
  private readonly saved = new Map<string, Map<string, SavedModule>>();
  /** Model-level tensors by adapter name, and the names of those that train. */
  private readonly shared = new Map<
    string,
    { tensors: Map<string, Tensor>; trains: Set<string> }
  >();
  private activeName: string | null = null;
  private disabled = false;

  constructor(readonly model: M) {
    model.requiresGrad(false);
  }

  /** Wrap `model` and add a first adapter (PEFT's get_peft_model). */
  static create<M extends Module>(
    model: M,
    options: PeftOptions,
    adapterName = 'default',
  ): PeftModel<M> {
    const pm = new PeftModel(model);
    pm.addAdapter(adapterName, options);
    pm.setAdapter(adapterName);
    return pm;
  }

  get activeAdapter(): string | null {
    return this.activeName;
  }

  /** Paths of the linear layers an adapter with this config would adapt. */
  targetPaths(config: TargetSelection): string[] {
    const out: string[] = [];
    for (const [path, m] of this.model.namedModules()) {
      if (m instanceof Linear && path !== '' && isTarget(path, config)) out.push(path);
    }
    return out;
  }

  addAdapter(name: string, options: PeftOptions): void {
    if (this.configs.has(name)) throw new Error(`adapter '${name}' already exists`);
    if (!/^[A-Za-z0-9_-]+$/.test(name))
      throw new Error(`adapter name '${name}' must use letters, digits, '_' or '-'`);
    const config = peftConfig(options);
    const paths = this.targetPaths(config);
    // No adapted layer is fine when the adapter only trains whole modules (a linear probe).
    if (paths.length === 0 && config.modulesToSave.length === 0) {
      throw new Error(
        `no linear layer matches targetModules ${JSON.stringify(config.targetModules)}${config.layersToTransform ? ` in layers ${JSON.stringify(config.layersToTransform)}` : ''}`,
      );
    }
    const method = getMethod(config.method);
    const rng = new Random(config.seed);
    // Drawn from the stream only by methods that have them, so the others' initialisations stay as they were.
    const shared =
      method.sharedTensors?.(this.layerShapes(paths, config), config, rng.fork()) ?? new Map();
    for (const path of paths) {
      const base = this.model.getSubmodule(path) as Linear;
      const r = patternValue(path, config.rankPattern, config.r);
      const alpha = patternValue(path, config.alphaPattern, config.alpha);
      let adapter: Adapter;
      try {
        adapter = method.fromBase(base, { ...config, r, alpha }, rng.fork(), shared);
      } catch (e) {
        throw new Error(`${path}: ${(e as Error).message}`);
      }
      let hook = this.hooks.get(path);
      if (!hook) {
        hook = new AdaptedLinear();
        this.hooks.set(path, hook);
        base.hook = hook;
      }
      hook.adapters.set(name, adapter);
    }
    const saved = new Map<string, SavedModule>();
    for (const [path, m] of this.model.namedModules()) {
      if (path === '' || !config.modulesToSave.some((n) => matchesSuffix(path, n))) continue;
      const original = new Map(m.namedParameters());
      const copies = new Map(
        [...original].map(([k, t]) => {
          const c = new Tensor(t.data.slice(t.offset, t.offset + t.size), t.shape);
          return [k, c] as const;
        }),
      );
      saved.set(path, { module: m, original, copies });
    }
    this.saved.set(name, saved);
    const trains = new Set([...shared].filter(([, t]) => t.requiresGrad).map(([k]) => k));
    this.shared.set(name, { tensors: shared, trains });
    this.configs.set(name, config);
    this.refresh();
  }

  private layerShapes(paths: string[], config: PeftConfig): LayerShape[] {
    return paths.map((path) => {
      const { outFeatures, inFeatures } = this.model.getSubmodule(path) as Linear;
      return {
        path,
        dOut: outFeatures,
        dIn: inFeatures,
        r: patternValue(path, config.rankPattern, config.r),
      };
    });
  }

  /** The adapter's model-level tensors (its method's sharedTensors), by name. */
  sharedTensors(name = this.requireActive()): Map<string, Tensor> {
    return this.shared.get(name)?.tensors ?? new Map();
  }

  /** The trainer's call after every optimizer step: the active adapter's method's onStep. */
  afterStep(progress: { step: number; totalSteps: number; epoch: number }): void {
    this.callHook('onStep', progress);
  }

  /** The trainer's call at the end of every epoch, before its evaluation: onEpochEnd. */
  afterEpoch(progress: { step: number; totalSteps: number; epoch: number }): void {
    this.callHook('onEpochEnd', progress);
  }

  private callHook(
    hook: 'onStep' | 'onEpochEnd',
    progress: { step: number; totalSteps: number; epoch: number },
  ): void {
    const name = this.activeName;
    if (name === null || this.disabled) return;
    const config = this.configs.get(name)!;
    const f = getMethod(config.method)[hook];
    if (!f) return;
    const info: MethodHookInfo = {
      ...progress,
      config,
      adapters: this.adapters(name),
      shared: this.sharedTensors(name),
    };
    f(info);
  }

  /** Make `name` the adapter the model uses and trains. */
  setAdapter(name: string): void {
    if (!this.configs.has(name))
      throw new Error(
        `no adapter named '${name}' (have: ${[...this.configs.keys()].join(', ') || 'none'})`,
      );
    this.activeName = name;
    this.refresh();
  }

  /** Run the base model alone until enableAdapters (PEFT's disable_adapter context). */
  disableAdapters(): void {
    this.disabled = true;
    this.refresh();
  }

  enableAdapters(): void {
    this.disabled = false;
    this.refresh();
  }

  /** Run f with adapters disabled. */
  withAdaptersDisabled<T>(f: () => T): T {
    const was = this.disabled;
    this.disableAdapters();
    try {
      return f();
    } finally {
      if (!was) this.enableAdapters();
    }
  }

  deleteAdapter(name: string): void {
    if (!this.configs.has(name)) throw new Error(`no adapter named '${name}'`);
    for (const [path, hook] of this.hooks) {
      const a = hook.adapters.get(name);
      if (a?.merged) a.unmerge(this.model.getSubmodule(path) as Linear);
      hook.adapters.delete(name);
    }
    for (const s of this.saved.get(name)?.values() ?? []) swapIn(s.module, s.original);
    this.configs.delete(name);
    this.labels.delete(name);
    this.saved.delete(name);
    this.shared.delete(name);
    if (this.activeName === name) this.activeName = null;
    this.refresh();
  }

  /** The adapter of `name` at each adapted path. */
  adapters(name = this.requireActive()): Map<string, Adapter> {
    const out = new Map<string, Adapter>();
    for (const [path, hook] of this.hooks) {
      const a = hook.adapters.get(name);
      if (a) out.set(path, a);
    }
    return out;
  }

  /** modulesToSave copies of an adapter: path → (param name → tensor). */
  savedModules(name = this.requireActive()): Map<string, Map<string, Tensor>> {
    const out = new Map<string, Map<string, Tensor>>();
    for (const [path, s] of this.saved.get(name) ?? []) out.set(path, s.copies);
    return out;
  }

  /** Trainable tensors of the active adapter, by full parameter path. */
  trainableParameters(): [string, Tensor][] {
    return this.model
      .namedParameters()
      .filter(([, t]) => t.requiresGrad)
      .concat(
        [...this.adapters()].flatMap(([path, a]) =>
          [...a.tensors()]
            .filter(([, t]) => t.requiresGrad)
            .map(([k, t]) => [`${path}.${k}`, t] as [string, Tensor]),
        ),
        [...this.sharedTensors()].filter(([, t]) => t.requiresGrad),
      );
  }

  /** PEFT's print_trainable_parameters, as numbers and text. */
  trainableSummary(): TrainableSummary {
    const trainable = this.trainableParameters().reduce((s, [, t]) => s + t.size, 0);
    const base = this.model.namedParameters().reduce((s, [, t]) => s + t.size, 0);
    const adapterTensors = [...this.hooks.values()].flatMap((h) =>
      [...h.adapters.values()].flatMap((a) => [...a.tensors().values()]),
    );
    const sharedTensors = [...this.shared.values()].flatMap((s) => [...s.tensors.values()]);
    const all = base + [...adapterTensors, ...sharedTensors].reduce((s, t) => s + t.size, 0);
    const percent = all === 0 ? 0 : (100 * trainable) / all;
    const fmt = (n: number): string => n.toLocaleString('en-US');
    return {
      trainable,
      all,
      percent,
      text: `trainable params: ${fmt(trainable)} || all params: ${fmt(all)} || trainable%: ${percent.toFixed(4)}`,
    };
  }

  /** Fold the active adapter into the base weights (the forward then runs the plain layers). */
  merge(): void {
    for (const [path, a] of this.adapters())
      if (!a.merged) a.merge(this.model.getSubmodule(path) as Linear);
  }

  unmerge(): void {
    for (const [path, a] of this.adapters())
      if (a.merged) a.unmerge(this.model.getSubmodule(path) as Linear);
  }

  /**
   * Merge the active adapter and return the plain model: hooks removed,
   * modulesToSave copies written into the model. This PeftModel is spent.
   */
  mergeAndUnload(): M {
    const name = this.requireActive();
    this.merge();
    for (const [path] of this.hooks) (this.model.getSubmodule(path) as Linear).hook = null;
    for (const s of this.saved.get(name)?.values() ?? []) {
      for (const [k, t] of s.copies) {
        const target = s.original.get(k)!;
        target.data.set(t.data, target.offset);
      }
    }
    this.refresh(true);
    this.hooks.clear();
    this.configs.clear();
    this.labels.clear();
    this.saved.clear();
    this.shared.clear();
    this.activeName = null;
    return this.model;
  }

  private requireActive(): string {
    if (this.activeName === null) throw new Error('no active adapter');
    return this.activeName;
  }

  /** Point hooks and saved modules at the active adapter; set requiresGrad to match. */
  private refresh(unloading = false): void {
    const active = this.disabled || unloading ? null : this.activeName;
    for (const hook of this.hooks.values()) {
      hook.active = this.activeName;
      hook.disabled = this.disabled || unloading;
      for (const [name, a] of hook.adapters) {
        for (const [key, t] of a.tensors())
          t.requiresGrad = name === active && a.trainable.has(key);
      }
    }
    for (const [name, s] of this.shared)
      for (const [key, t] of s.tensors) t.requiresGrad = name === active && s.trains.has(key);
    // Every saved module back to its own tensors, then the active adapter's copies in.
    for (const saved of this.saved.values())
      for (const s of saved.values()) swapIn(s.module, s.original);
    for (const [name, saved] of this.saved) {
      for (const s of saved.values()) {
        if (name === active) swapIn(s.module, s.copies);
        for (const t of s.copies.values()) t.requiresGrad = name === active;
      }
    }
  }
}

function swapIn(module: Module, tensors: ReadonlyMap<string, Tensor>): void {
  for (const [k, t] of tensors) {
    const dot = k.lastIndexOf('.');
    const owner = dot < 0 ? module : module.getSubmodule(k.slice(0, dot));
    owner.setParam(k.slice(dot + 1), t);
  }
}
