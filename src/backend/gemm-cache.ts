/**
 * The GEMM probe's figures, kept per machine, BLAS library and addon build
 * in one small JSON file, so that the probe runs once, not in every process:
 * $XDG_CACHE_HOME/edora/gemm-probe.json, else ~/.cache/edora/gemm-probe.json.
 * EDORA_GEMM_CACHE names another file, or 'off' to neither read nor write one.
 * A cache that is missing, corrupt, of another version or unwritable is
 * ignored without a word: the probe just runs again.
 */
import { mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { cpus, homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import type { GemmProbe, GemmSpeeds } from './gemm-probe.js';
import type { NativeKernelInfo } from './native.js';

/** Bump when the probe's shapes or method change: older figures are then ignored. */
const CACHE_VERSION = 1;
/** Entries kept (one per machine × library × addon build × thread/SIMD setting). */
const MAX_ENTRIES = 32;

interface CacheFile {
  version: number;
  entries: Record<string, GemmProbe & { measuredAt?: string }>;
}

/** The cache file to use, or null when caching is off (EDORA_GEMM_CACHE=off). */
export function gemmCacheFile(env: NodeJS.ProcessEnv = process.env): string | null {
  const override = env['EDORA_GEMM_CACHE'];
  if (override === 'off') return null;
  if (override) return override;
  const xdg = env['XDG_CACHE_HOME'];
  // The XDG spec ignores a relative XDG_CACHE_HOME.
  const base = xdg?.startsWith('/') ? xdg : join(homedir(), '.cache');
  return join(base, 'edora', 'gemm-probe.json');
}

/**
 * What the figures depend on: the CPU, the thread and SIMD settings, the
 * BLAS file (and its kernel family, which OPENBLAS_CORETYPE can change) and
 * the addon build. Files are named by real path, size and modification time,
 * so an upgraded library or a rebuilt addon is probed again.
 */
export function gemmCacheKey(info: NativeKernelInfo, addonFile: string): string {
  return JSON.stringify({
    cpu: cpus()[0]?.model ?? '',
    arch: process.arch,
    cores: info.cores,
    simd: info.simd,
    blasThreads: info.blasThreads,
    builtinThreads: info.builtinThreads,
    blas: info.blasPath ? fileId(info.blasPath) : info.blasLibrary,
    blasCore: info.blasCore,
    addon: fileId(addonFile),
  });
}

function fileId(file: string): string {
  try {
    const real = realpathSync(file);
    const st = statSync(real);
    return `${real} ${st.size} ${st.mtimeMs}`;
  } catch {
    return file;
  }
}

/** The cached figures for `key`, or null (no file, no entry, or anything malformed). */
export function readCachedProbe(file: string, key: string): GemmProbe | null {
  const entry = readCache(file)?.entries[key];
  if (!entry || !validSpeeds(entry.blas) || !validSpeeds(entry.builtin)) return null;
  return { blas: entry.blas, builtin: entry.builtin };
}

/** Records the figures for `key` (atomically; the oldest entries go beyond MAX_ENTRIES). Never throws. */
export function writeCachedProbe(file: string, key: string, probe: GemmProbe): void {
  try {
    const entries = { ...readCache(file)?.entries };
    delete entries[key];
    entries[key] = { ...probe, measuredAt: new Date().toISOString() };
    const keys = Object.keys(entries);
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) delete entries[old];
    mkdirSync(dirname(file), { recursive: true });
    const content: CacheFile = { version: CACHE_VERSION, entries };
    writeFileAtomic(file, `${JSON.stringify(content, null, 1)}\n`);
  } catch {
    // A read-only home or a bad EDORA_GEMM_CACHE costs a probe per process, nothing more.
  }
}

function readCache(file: string): CacheFile | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { version, entries } = parsed as Partial<CacheFile>;
    if (version !== CACHE_VERSION || typeof entries !== 'object' || entries === null) return null;
    return { version, entries };
  } catch {
    return null;
  }
}

function validSpeeds(s: unknown): s is GemmSpeeds {
  if (typeof s !== 'object' || s === null) return false;
  const { square, skinny } = s as Partial<GemmSpeeds>;
  return [square, skinny].every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0);
}
