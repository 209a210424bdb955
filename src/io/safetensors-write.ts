/**
 * Writing safetensors files: every tensor as F32, names in byte order, the
 * JSON header padded with spaces to a multiple of 8 bytes as the reference
 * implementation does (so the data region is 8-byte aligned). The file is
 * written under a temporary name and renamed into place; a tensor holding NaN
 * or an infinity is refused before anything is written.
 */
import { endianness } from 'node:os';
import { formatShape, type Tensor } from '../tensor/tensor.js';
import { withAtomicFile } from './atomic.js';
import { checkFinite, valuesOf } from './finite.js';

function f32Bytes(t: Tensor): Uint8Array {
  if (t.dtype === 'float32' && t.isContiguous()) {
    return new Uint8Array(t.data.buffer, t.data.byteOffset + t.offset * 4, t.size * 4);
  }
  const a = Float32Array.from(
    t.isContiguous() ? t.data.subarray(t.offset, t.offset + t.size) : t.toArray(),
  );
  return new Uint8Array(a.buffer);
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function writeSafetensors(
  path: string,
  tensors: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
  metadata?: Record<string, string>,
): void {
  if (endianness() !== 'LE')
    throw new Error(`${path}: writing safetensors needs a little-endian machine`);
  const list: [string, Tensor][] = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  list.sort(([a], [b]) => byteOrder(a, b));
  const parts: string[] = [];
  if (metadata) {
    const meta = Object.keys(metadata)
      .sort(byteOrder)
      .map((k) => {
        const v = metadata[k];
        if (typeof v !== 'string')
          throw new Error(`${path}: metadata field '${k}' must be a string`);
        return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
      });
    parts.push(`"__metadata__":{${meta.join(',')}}`);
  }
  let offset = 0;
  for (const [name, t] of list) {
    if (name === '__metadata__') throw new Error(`${path}: '__metadata__' cannot name a tensor`);
    if (!t || typeof t !== 'object' || !Array.isArray(t.shape)) {
      throw new Error(`${path}: '${name}' is not a Tensor`);
    }
    checkFinite(path, name, valuesOf(t), t.shape, 'nothing was written');
    const bytes = t.size * 4;
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"F32","shape":${formatShape(t.shape)},"data_offsets":[${offset},${offset + bytes}]}`,
    );
    offset += bytes;
  }
  const json = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  const header = Buffer.alloc(8 + json.length + pad, 0x20);
  header.writeBigUInt64LE(BigInt(json.length + pad), 0);
  json.copy(header, 8);
  withAtomicFile(path, (append) => {
    append(header);
    for (const [, t] of list) append(f32Bytes(t));
  });
}
