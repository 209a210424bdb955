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

  /**
   * The sorted distinct values: numerically when every value is a number (so
   * '2' comes before '10'), otherwise in code-unit order (locale-independent).
   */
  static collect(values: Iterable<string>, source: string): LabelMap {
    return new LabelMap(sortLabels(new Set(values)), source);
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

const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export function sortLabels(values: Iterable<string>): string[] {
  const list = [...values];
  if (list.length > 0 && list.every((v) => NUMBER.test(v))) {
    return list.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
  }
  return list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
