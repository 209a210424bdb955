/** Containers: modules that only hold other modules (PyTorch's ModuleList and ModuleDict). */
import { Module } from './module.js';

/** Children named '0', '1', … so paths read `encoder.layer.3.…` as in Hugging Face checkpoints. */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: M[] = [];

  constructor(items: Iterable<M> = []) {
    super();
    for (const m of items) this.push(m);
  }

  push(m: M): M {
    this.items.push(this.module(String(this.items.length), m));
    return m;
  }

  get length(): number {
    return this.items.length;
  }

  at(i: number): M {
    const m = this.items[i];
    if (!m) throw new Error(`ModuleList: index ${i} out of range (length ${this.items.length})`);
    return m;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}

/** Named children without behaviour of their own, for path segments like `attention.self`. */
export class ModuleDict extends Module {
  set<M extends Module>(name: string, m: M): M {
    return this.module(name, m);
  }
}
