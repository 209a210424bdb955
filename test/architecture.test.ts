/**
 * The layering of docs/architecture.md, checked on the sources: every import
 * between two folders of src/ runs down the layers (or within one), never up,
 * and the library's entry point exports no test fixtures.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = join(process.cwd(), 'src');

/**
 * The layer of each folder of src/, lowest first (docs/architecture.md,
 * "Layers"). A folder may import its own layer and those below it.
 */
const LAYERS: Record<string, number> = {
  tensor: 0,
  backend: 0,
  io: 0,
  config: 0,
  autograd: 1,
  linalg: 1,
  data: 1,
  nn: 2,
  models: 2,
  adapters: 3,
  peft: 3,
  train: 4,
  workflows: 5,
  cli: 6,
};

/** Imports the layers alone would allow but the design forbids (DESIGN.md, "Architecture"). */
const FORBIDDEN: [from: string, to: string, why: string][] = [
  ['nn', 'models', 'a layer knows no architecture'],
  ['adapters', 'models', 'an adapter knows only the linear layer it wraps'],
  ['adapters', 'peft', 'an adapter knows only the linear layer it wraps'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The relative module paths a file imports or re-exports (type-only ones too). */
function relativeImports(text: string): string[] {
  const re = /(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g;
  return [...text.matchAll(re)].map((m) => (m[1] ?? m[2])!);
}

/** The top folder of src/ a path lies in ('' for src/index.ts itself). */
function topFolder(path: string): string {
  const rel = relative(SRC, path).split(/[\\/]/);
  return rel.length > 1 ? rel[0]! : '';
}

interface Edge {
  file: string;
  from: string;
  to: string;
}

function folderImports(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = topFolder(file);
    if (from === '') continue; // src/index.ts re-exports every layer
    for (const spec of relativeImports(readFileSync(file, 'utf8'))) {
      const target = resolve(dirname(file), spec);
      const to = topFolder(target);
      if (to !== from) edges.push({ file: relative(process.cwd(), file), from, to });
    }
  }
  return edges;
}

test('the import scanner sees type-only, re-export and dynamic imports', () => {
  const text = [
    "import type { A } from '../a/x.js';",
    "export { B } from '../b/y.js';",
    'import {',
    '  C,',
    "} from '../c/z.js';",
    "const d = await import('../d/w.js');",
    "import { E } from 'node:fs';",
  ].join('\n');
  assert.deepEqual(relativeImports(text), ['../a/x.js', '../b/y.js', '../c/z.js', '../d/w.js']);
});

test('every folder of src/ has a layer', () => {
  const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
  const missing = folders.filter((f) => LAYERS[f] === undefined);
  assert.deepEqual(
    missing,
    [],
    'give each new folder a layer here and a line in docs/architecture.md',
  );
});

test('imports between folders of src/ run down the layers, never up', () => {
  const edges = folderImports();
  assert.ok(edges.length > 100, `only ${edges.length} imports between folders found`);
  // src/index.ts re-exports every layer: only the top one (the CLI) may import it.
  const layer = (folder: string): number | undefined =>
    folder === '' ? LAYERS['cli'] : LAYERS[folder];
  const up = edges
    .filter((e) => layer(e.to) === undefined || layer(e.to)! > layer(e.from)!)
    .map((e) => `${e.file}: ${e.from} (layer ${layer(e.from)}) imports ${e.to || 'src/index.ts'}`);
  assert.deepEqual(up, []);
  const forbidden = edges.flatMap((e) =>
    FORBIDDEN.filter(([f, t]) => e.from === f && e.to === t).map(
      ([, , why]) => `${e.file}: ${e.from} imports ${e.to} (${why})`,
    ),
  );
  assert.deepEqual(forbidden, []);
});

test('the library entry point exports no test fixtures', async () => {
  const lib = (await import('../src/index.js')) as Record<string, unknown>;
  const fixtures = Object.keys(lib).filter((k) => /tiny|fixture/i.test(k));
  assert.deepEqual(fixtures, []);
});
