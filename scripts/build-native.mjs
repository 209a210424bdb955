#!/usr/bin/env node
// Builds the native addon (build/Release/edora_native.node) with node-gyp.
//
// Run as the package's `install` script: a failed build (no compiler, no
// Python, no headers, ...) prints one warning and exits 0, and edora falls
// back to its pure TypeScript backend. With --strict (npm run build:native)
// a failure exits non-zero.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');

/** The node-gyp command: npm's own (npm_config_node_gyp), else one on PATH, else npm's bundled copy. */
function nodeGypCommand() {
  const viaNode = (file) => ({ cmd: process.execPath, args: [file] });
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) {
    return /\.[cm]?js$/.test(fromNpm) ? viaNode(fromNpm) : { cmd: fromNpm, args: [] };
  }
  if (hasOnPath('node-gyp')) {
    return { cmd: process.platform === 'win32' ? 'node-gyp.cmd' : 'node-gyp', args: [] };
  }
  const bundled = [
    process.env.npm_execpath &&
      path.resolve(
        path.dirname(process.env.npm_execpath),
        '../node_modules/node-gyp/bin/node-gyp.js',
      ),
    path.resolve(
      path.dirname(process.execPath),
      '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    ),
    path.resolve(
      path.dirname(process.execPath),
      'node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    ),
  ].find((p) => p && existsSync(p));
  return bundled ? viaNode(bundled) : { cmd: 'node-gyp', args: [] };
}

function hasOnPath(name) {
  const exts = process.platform === 'win32' ? ['.cmd', '.exe', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      if (existsSync(path.join(dir, name + ext))) return true;
    }
  }
  return false;
}

/** Use the local Node headers (e.g. /usr/include/node) rather than downloading them. */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include', 'node', 'common.gypi'))
    ? [`--nodedir=${prefix}`]
    : [];
}

function fail(reason) {
  if (strict) {
    console.error(`edora: native addon build failed (${reason})`);
    process.exit(1);
  }
  console.warn(
    `edora: native addon could not be built (${reason}); using the pure TypeScript backend`,
  );
  process.exit(0);
}

if (process.env.EDORA_SKIP_NATIVE && process.env.EDORA_SKIP_NATIVE !== '0' && !strict) {
  process.exit(0);
}

const { cmd, args } = nodeGypCommand();
const result = spawnSync(cmd, [...args, 'rebuild', ...nodedirArgs()], {
  cwd: root,
  stdio: strict ? 'inherit' : ['ignore', 'ignore', 'pipe'],
  env: process.env,
  shell: process.platform === 'win32',
  maxBuffer: 64 * 1024 * 1024,
});

if (result.error) {
  fail(result.error.code === 'ENOENT' ? 'node-gyp not found' : result.error.message);
} else if (result.status !== 0) {
  let detail = `node-gyp exited with ${result.status ?? result.signal}`;
  const stderr = result.stderr ? result.stderr.toString() : '';
  const firstError = stderr
    .split('\n')
    .find(
      (l) =>
        /error/i.test(l) &&
        !/^gyp ERR! (stack|System|command|cwd|node -v|node-gyp -v|not ok)/.test(l),
    );
  if (firstError) detail += `: ${firstError.trim().slice(0, 200)}`;
  fail(detail);
} else if (!existsSync(path.join(root, 'build', 'Release', 'edora_native.node'))) {
  fail('build/Release/edora_native.node is missing after the build');
}
