/**
 * Label maps: class names by index. Given explicitly, or collected from the
 * training data in sorted order, so the same file always gives the same map.
 */
export class LabelMap {
  readonly names: string[];
  private readonly index = new Map<string, number>();

  constructor(names: readonly string[], source = 'labels') {
    if (names.length === 0) throw new Error(`${source}: the label list is empty`);
    this.names = [...names];
    for (const [i, n] of this.names.entries()) {
      if (this.index.has(n)) throw new Error(`${source}: label ${JSON.stringify(n)} appears twice`);
      this.index.set(n, i);
    }
  }

  /** The sorted distinct values (code-unit order, locale-independent). */
  static collect(values: Iterable<string>, source: string): LabelMap {
    const set = new Set(values);
    return new LabelMap(
      [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      source,
    );
  }

  /** The index of `name`; `where` (file:line) names the place of an unknown label. */
  lookup(name: string, where: string): number {
    const i = this.index.get(name);
    if (i === undefined) {
      throw new Error(
        `${where}: unknown label ${JSON.stringify(name)} (expected one of ${this.names.map((n) => JSON.stringify(n)).join(', ')})`,
      );
    }
    return i;
  }
}
