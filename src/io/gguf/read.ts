/**
 * Reading tensor data from a GGUF file: raw blocks (to keep a tensor
 * quantised) or float32 values. The file stays open and each read takes only
 * the bytes it needs at their file position, so a model far larger than the
 * memory one Buffer may hold is read a tensor, or a few blocks, at a time.
 */
import { closeSync, fstatSync } from 'node:fs';
import { endianness } from 'node:os';
import { Tensor } from '../../tensor/tensor.js';
import { checkFinite } from '../finite.js';
import { readExactly } from '../safetensors-header.js';
import { canDequantize, DEQUANTIZABLE_TYPES, dequantize } from './dequantize.js';
import {
  type GgufFile,
  type GgufTensorInfo,
  openGgufFd,
  readGgufHeaderFd,
  shown,
} from './header.js';

export interface ReadGgufFloatOptions {
  /**
   * Keep NaN and infinities as they are. By default a non-finite value is an
   * error naming the tensor, as for safetensors (see finite.ts).
   */
  allowNonFinite?: boolean;
}

/** Blocks dequantised per read (bounds the scratch memory to a few MB). */
const CHUNK_BYTES = 4 << 20;

export class GgufReader {
  private fd: number | null;

  private constructor(
    fd: number,
    /** The validated header: metadata and tensor infos. */
    readonly gguf: GgufFile,
  ) {
    this.fd = fd;
  }

  /** Open `path`, validate its header, keep it open for reading tensors. */
  static open(path: string): GgufReader {
    if (endianness() !== 'LE')
      throw new Error(`${path}: reading GGUF needs a little-endian machine`);
    const fd = openGgufFd(path);
    try {
      return new GgufReader(fd, readGgufHeaderFd(fd, path));
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** The tensor called `name`; an error naming the file if there is none. */
  tensorInfo(name: string): GgufTensorInfo {
    const t = this.gguf.tensors.find((x) => x.name === name);
    if (!t) throw new Error(`${this.gguf.path}: no tensor '${shown(name)}'`);
    return t;
  }

  private open(): number {
    if (this.fd === null) throw new Error(`${this.gguf.path}: the GGUF reader is closed`);
    if (fstatSync(this.fd).size !== this.gguf.fileSize) {
      throw new Error(`${this.gguf.path}: the file changed size since its header was read`);
    }
    return this.fd;
  }

  private blockRange(t: GgufTensorInfo, first: number, count: number): void {
    const blocks = t.byteLength / t.typeSize;
    if (
      !Number.isSafeInteger(first) ||
      !Number.isSafeInteger(count) ||
      first < 0 ||
      count < 0 ||
      first + count > blocks
    ) {
      throw new Error(
        `${this.gguf.path}: tensor '${shown(t.name)}' has ${blocks} blocks; blocks [${first}, ${first + count}) do not exist`,
      );
    }
  }

  /** The raw bytes of `count` blocks of `tensor` from block `first` (default: all of it). */
  readBlocks(tensor: GgufTensorInfo | string, first = 0, count?: number): Uint8Array {
    const t = typeof tensor === 'string' ? this.tensorInfo(tensor) : tensor;
    const n = count ?? t.byteLength / t.typeSize - first;
    this.blockRange(t, first, n);
    const out = new Uint8Array(n * t.typeSize);
    readExactly(
      this.open(),
      out,
      t.offset + first * t.typeSize,
      this.gguf.path,
      `tensor '${shown(t.name)}'`,
    );
    return out;
  }

  /**
   * `count` blocks of `tensor` from block `first` (default: the whole tensor)
   * as float32 values, read and dequantised a few MB at a time.
   */
  readFloat32(
    tensor: GgufTensorInfo | string,
    first = 0,
    count?: number,
    options: ReadGgufFloatOptions = {},
  ): Float32Array {
    const t = typeof tensor === 'string' ? this.tensorInfo(tensor) : tensor;
    const where = `${this.gguf.path}: tensor '${shown(t.name)}'`;
    if (!canDequantize(t.type)) {
      throw new Error(
        `${where} has type ${t.type}; only ${DEQUANTIZABLE_TYPES.join(', ')} can be read as float32`,
      );
    }
    const n = count ?? t.byteLength / t.typeSize - first;
    this.blockRange(t, first, n);
    const fd = this.open();
    const out = new Float32Array(n * t.blockSize);
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / t.typeSize));
    const scratch = new Uint8Array(Math.min(n, perChunk) * t.typeSize);
    for (let b = 0; b < n; b += perChunk) {
      const m = Math.min(perChunk, n - b);
      const bytes = scratch.subarray(0, m * t.typeSize);
      readExactly(
        fd,
        bytes,
        t.offset + (first + b) * t.typeSize,
        this.gguf.path,
        `tensor '${shown(t.name)}'`,
      );
      dequantize(t.type, bytes, out.subarray(b * t.blockSize, (b + m) * t.blockSize), where);
    }
    if (!options.allowNonFinite) {
      const shape = first === 0 && n * t.blockSize === t.size ? t.shape : [out.length];
      checkFinite(
        this.gguf.path,
        t.name,
        out,
        shape,
        `every value must be finite (dequantised from ${t.type})`,
      );
    }
    return out;
  }

  /** The whole tensor as a float32 Tensor of its row-major shape, named as in the file. */
  readTensor(name: string, options: ReadGgufFloatOptions = {}): Tensor {
    const t = this.tensorInfo(name);
    const out = new Tensor(this.readFloat32(t, 0, undefined, options), t.shape);
    out.name = t.name;
    return out;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Open a GGUF file for reading tensors; close it when done. */
export function openGguf(path: string): GgufReader {
  return GgufReader.open(path);
}
