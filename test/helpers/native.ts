/**
 * The native kernels for parity tests. Where the addon is expected (always,
 * unless EDORA_SKIP_NATIVE_TESTS=1 on a machine without a compiler), a missing
 * addon fails the tests instead of skipping them.
 */
import { nativeKernels, nativeLoadError } from '../../src/index.js';

export const skipNative: string | false =
  process.env['EDORA_SKIP_NATIVE_TESTS'] === '1' ? 'EDORA_SKIP_NATIVE_TESTS=1' : false;

export function requireNative(): NonNullable<ReturnType<typeof nativeKernels>> {
  const k = nativeKernels();
  if (!k) throw new Error(`native addon did not load: ${nativeLoadError()}`);
  return k;
}
