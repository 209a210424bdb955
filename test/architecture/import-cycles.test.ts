/**
 * No import cycles in the library: each module can be read (and loaded)
 * after the ones it imports. Type-only imports and re-exports count too: a
 * cycle through them still ties two files into one unit.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/** src/ of the checkout: this file runs as dist/test/architecture/*.js. */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** The relative modules a file imports or re-exports, as absolute .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\b[^;]*?from\s+'(\.[^']+)'/gms))
    out.push(resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
  return out;
}

/** One cycle of the graph, or null: a depth-first search with an explicit path. */
export function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...path.slice(path.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    path.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    if (!state.has(node)) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return null;
}

test('the cycle finder finds a cycle and passes a tree', () => {
  const g = (edges: [string, string][]) => {
    const m = new Map<string, string[]>();
    for (const [a, b] of edges) m.set(a, [...(m.get(a) ?? []), b]);
    return m;
  };
  assert.deepEqual(
    findCycle(
      g([
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'b'],
      ]),
    ),
    ['b', 'c', 'b'],
  );
  assert.equal(
    findCycle(
      g([
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'c'],
      ]),
    ),
    null,
  );
});

/**
 * Known edges left out of the check, both type-only imports that close a
 * cycle in folders other work of issue #12 reshapes: peft/targets.ts ↔
 * peft/config.ts (the method contract, item 1) and models/structure.ts ↔
 * models/load.ts (the model resolver, item 6). Each entry is a [from, to] edge.
 */
const KNOWN: [string, string][] = [
  ['peft/targets.ts', 'peft/config.ts'],
  ['models/structure.ts', 'models/load.ts'],
];

test('src/ has no import cycle', () => {
  const known = new Set(KNOWN.map(([a, b]) => `${resolve(SRC, a)} ${resolve(SRC, b)}`));
  const files = sources(SRC);
  const graph = new Map(
    files.map((f) => [f, importsOf(f).filter((to) => !known.has(`${f} ${to}`))]),
  );
  const cycle = findCycle(graph);
  assert.equal((cycle ?? []).map((f) => relative(SRC, f)).join(' → '), '');
});
