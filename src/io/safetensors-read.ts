/**
 * Reading safetensors files. Floating-point tensors (F32, F16, BF16, F64)
 * become float32 Tensors; I64 and I32 tensors are kept as integer arrays.
 *
 * Each tensor's bytes are read with fs.readSync at their file position
 * straight into the tensor's own buffer (F32, I32, I64), or through a small
 * reusable scratch buffer for the types that need conversion, so a large
 * checkpoint is never held twice in memory.
 */
import { closeSync } from 'node:fs';
import { endianness } from 'node:os';
import { Tensor } from '../tensor/tensor.js';
import { checkFinite } from './finite.js';
import { halfToFloatTable } from './half.js';
import {
  openSafetensors,
  readExactly,
  readHeaderFd,
  type SafetensorsEntry,
} from './safetensors-header.js';

export interface IntegerTensor {
  dtype: 'I64' | 'I32';
  shape: number[];
  data: BigInt64Array | Int32Array;
}

export interface SafetensorsContents {
  tensors: Map<string, Tensor>;
  integers: Map<string, IntegerTensor>;
  metadata: Record<string, string> | null;
}

export interface ReadSafetensorsOptions {
  /** Read only the tensors for which this returns true (the header is still validated whole). */
  filter?: (name: string) => boolean;
  /**
   * Keep NaN and infinities as they are. By default a non-finite value is an
   * error naming the tensor: edora's loaders never want one (see finite.ts).
   */
  allowNonFinite?: boolean;
}

/** Elements converted per chunk for F16/BF16/F64 (bounds the scratch memory). */
const CHUNK = 1 << 20;

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function readFloat(fd: number, e: SafetensorsEntry, file: string): Float32Array {
  const out = new Float32Array(e.size);
  const what = `tensor '${e.name}'`;
  if (e.dtype === 'F32') {
    readExactly(fd, bytesOf(out), e.begin, file, what);
    return out;
  }
  const width = e.dtype === 'F64' ? 8 : 2;
  const scratch = new ArrayBuffer(Math.min(e.size, CHUNK) * width);
  const out32 = new Uint32Array(out.buffer);
  const table = e.dtype === 'F16' ? halfToFloatTable() : null;
  for (let start = 0; start < e.size; start += CHUNK) {
    const n = Math.min(CHUNK, e.size - start);
    readExactly(fd, new Uint8Array(scratch, 0, n * width), e.begin + start * width, file, what);
    if (e.dtype === 'F64') {
      const src = new Float64Array(scratch, 0, n);
      out.set(src, start); // rounds to nearest float32, as numpy's astype does
    } else {
      const src = new Uint16Array(scratch, 0, n);
      if (table) for (let i = 0; i < n; i++) out[start + i] = table[src[i]!]!;
      else for (let i = 0; i < n; i++) out32[start + i] = src[i]! << 16; // bf16 = top half of f32
    }
  }
  return out;
}

/**
 * Read a safetensors file. Throws one Error naming the file and the tensor or
 * field at fault for anything malformed, for a NaN or an infinity (unless
 * `allowNonFinite`), and for tensors of a dtype other than
 * F32/F16/BF16/F64/I64/I32 (leave those out with `filter`).
 */
export function readSafetensors(
  path: string,
  options: ReadSafetensorsOptions = {},
): SafetensorsContents {
  if (endianness() !== 'LE')
    throw new Error(`${path}: reading safetensors needs a little-endian machine`);
  const fd = openSafetensors(path);
  try {
    const header = readHeaderFd(fd, path);
    const tensors = new Map<string, Tensor>();
    const integers = new Map<string, IntegerTensor>();
    for (const e of header.entries) {
      if (options.filter && !options.filter(e.name)) continue;
      switch (e.dtype) {
        case 'F32':
        case 'F16':
        case 'BF16':
        case 'F64': {
          const values = readFloat(fd, e, path);
          if (!options.allowNonFinite) {
            const as = e.dtype === 'F32' ? '' : ` (read from ${e.dtype} as float32)`;
            checkFinite(path, e.name, values, e.shape, `every value must be finite${as}`);
          }
          const t = new Tensor(values, e.shape);
          t.name = e.name;
          tensors.set(e.name, t);
          break;
        }
        case 'I64': {
          const data = new BigInt64Array(e.size);
          readExactly(fd, bytesOf(data), e.begin, path, `tensor '${e.name}'`);
          integers.set(e.name, { dtype: 'I64', shape: e.shape, data });
          break;
        }
        case 'I32': {
          const data = new Int32Array(e.size);
          readExactly(fd, bytesOf(data), e.begin, path, `tensor '${e.name}'`);
          integers.set(e.name, { dtype: 'I32', shape: e.shape, data });
          break;
        }
        default:
          throw new Error(
            `${path}: tensor '${e.name}' has dtype ${e.dtype}; only F32, F16, BF16, F64, I64 and I32 can be read`,
          );
      }
    }
    return { tensors, integers, metadata: header.metadata };
  } finally {
    closeSync(fd);
  }
}
