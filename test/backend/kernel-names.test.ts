/**
 * One list of kernel names: the Kernels contract's (KERNEL_NAMES), which the
 * native loader checks and binds, and which the C++ addon must export, no
 * more and no fewer.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { nativeAddonFile } from '../../src/backend/index.js';
import { jsKernels } from '../../src/backend/js/index.js';
import { KERNEL_NAMES } from '../../src/backend/kernels.js';
import { ADDON_FUNCTIONS } from '../../src/backend/native.js';
import { requireNative, skipNative } from '../helpers/native.js';

test('the js backend implements every kernel of the list, and nothing else', () => {
  const methods = Object.keys(jsKernels).filter((k) => k !== 'name' && k !== 'info');
  assert.deepEqual(methods.sort(), [...KERNEL_NAMES].sort());
});

test('the addon exports exactly the functions the loader binds', { skip: skipNative }, () => {
  requireNative();
  const file = nativeAddonFile();
  assert.ok(file, 'the addon file');
  const addon = createRequire(import.meta.url)(file) as Record<string, unknown>;
  assert.deepEqual(Object.keys(addon).sort(), [...ADDON_FUNCTIONS].sort());
  for (const name of KERNEL_NAMES) assert.ok(ADDON_FUNCTIONS.includes(name), name);
});
