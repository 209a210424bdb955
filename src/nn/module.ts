/**
 * Module: a tree of named parameters and child modules, PyTorch style.
 *
 * Parameter paths join names with dots (`encoder.layer.0.attention.self.query.weight`)
 * so that state dicts use the same keys as Hugging Face checkpoints.
 */
import { formatShape, type Tensor } from '../tensor/tensor.js';

export abstract class Module {
  /** Training mode (dropout active) or evaluation mode. */
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /** Register a parameter (or buffer) under `name`; returns it for assignment to a field. */
  protected param(name: string, t: Tensor): Tensor {
    checkName(name);
    this.ownParams.set(name, t);
    return t;
  }

  /** Register a child module under `name`; returns it for assignment to a field. */
  protected module<M extends Module>(name: string, m: M): M {
    checkName(name);
    this.children.set(name, m);
    return m;
  }

  /** Replace a registered parameter (same name), e.g. when loading weights. */
  setParam(name: string, t: Tensor): void {
    if (!this.ownParams.has(name))
      throw new Error(`${this.constructor.name}: no parameter '${name}'`);
    this.ownParams.set(name, t);
    this.onParamReplaced(name, t);
  }

  /** Subclasses that keep parameters in fields update them here. */
  protected onParamReplaced(_name: string, _t: Tensor): void {}

  getParam(name: string): Tensor | undefined {
    return this.ownParams.get(name);
  }

  *namedChildren(): IterableIterator<[string, Module]> {
    yield* this.children.entries();
  }

  /** Every module in the tree with its dotted path ('' for this one), parents first. */
  *namedModules(prefix = ''): IterableIterator<[string, Module]> {
    yield [prefix, this];
    for (const [name, child] of this.children) {
      yield* child.namedModules(prefix ? `${prefix}.${name}` : name);
    }
  }

  /** Every parameter with its dotted path. A tensor shared by two paths is listed once, under the first. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [name, t] of m.ownParams) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([path ? `${path}.${name}` : name, t]);
      }
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Parameters with requiresGrad. */
  trainableParameters(): [string, Tensor][] {
    return this.namedParameters().filter(([, t]) => t.requiresGrad);
  }

  /** Set requiresGrad on every parameter (freeze with false). */
  requiresGrad(flag: boolean): this {
    for (const t of this.parameters()) t.requiresGrad = flag;
    return this;
  }

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** The module at a dotted path ('' is this one). */
  getSubmodule(path: string): Module {
    if (path === '') return this;
    let m: Module = this;
    for (const part of path.split('.')) {
      const next = m.children.get(part);
      if (!next)
        throw new Error(`${this.constructor.name}: no submodule '${path}' (missing '${part}')`);
      m = next;
    }
    return m;
  }

  /** Name → tensor of every parameter, keyed by dotted path. */
  stateDict(): Map<string, Tensor> {
    return new Map(this.namedParameters());
  }

  /**
   * Copy values from `state` into the parameters with the same paths.
   * strict: every parameter must be present and no key may be unknown.
   * A shape mismatch always fails, naming the key and both shapes.
   */
  loadStateDict(
    state: ReadonlyMap<string, Tensor>,
    options: { strict?: boolean; source?: string } = {},
  ): { missing: string[]; unexpected: string[] } {
    const strict = options.strict ?? true;
    const where = options.source ? ` in ${options.source}` : '';
    const own = new Map(this.namedParameters());
    const missing = [...own.keys()].filter((k) => !state.has(k));
    const unexpected = [...state.keys()].filter((k) => !own.has(k));
    if (strict && missing.length > 0) {
      throw new Error(
        `missing tensor${missing.length > 1 ? 's' : ''}${where}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? `, … (${missing.length} in all)` : ''}`,
      );
    }
    if (strict && unexpected.length > 0) {
      throw new Error(
        `unexpected tensor${unexpected.length > 1 ? 's' : ''}${where}: ${unexpected.slice(0, 5).join(', ')}${unexpected.length > 5 ? `, … (${unexpected.length} in all)` : ''}`,
      );
    }
    for (const [key, target] of own) {
      const src = state.get(key);
      if (!src) continue;
      if (src.shape.join() !== target.shape.join()) {
        throw new Error(
          `tensor '${key}'${where} has shape ${formatShape(src.shape)}, the model expects ${formatShape(target.shape)}`,
        );
      }
      if (src.dtype !== target.dtype) {
        throw new Error(
          `tensor '${key}'${where} is ${src.dtype}, the model expects ${target.dtype}`,
        );
      }
      target.data.set(src.isDense() ? src.data : src.toArray(), target.offset);
    }
    return { missing, unexpected };
  }
}

function checkName(name: string): void {
  if (name === '' || name.includes('.'))
    throw new Error(`Module: invalid name '${name}' (non-empty, no dots)`);
}
