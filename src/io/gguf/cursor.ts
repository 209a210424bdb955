/**
 * Sequential little-endian reads from an open file through a small window,
 * so that a header of any size is parsed without reading the whole file into
 * memory. Every read first checks that the bytes exist: a length or a count
 * read from the file can never make it read past the end or allocate more
 * than the file holds.
 */
import { readExactly } from '../safetensors-header.js';

/** Bytes read from the file at a time. */
const WINDOW = 1 << 20;

export class FileCursor {
  /** File position of the next byte to read. */
  pos = 0;
  private buf = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  /** File position of buf[0]. */
  private bufStart = 0;

  constructor(
    private readonly fd: number,
    readonly file: string,
    readonly fileSize: number,
  ) {}

  /** Bytes left between the cursor and the end of the file. */
  remaining(): number {
    return this.fileSize - this.pos;
  }

  /** Make bytes [pos, pos + n) available in the window; `what` names them in the error. */
  private need(n: number, what: string): number {
    if (n > this.remaining()) {
      throw new Error(
        `${this.file}: unexpected end of file at byte ${this.pos} while reading ${what} (${n} bytes needed, ${this.remaining()} left)`,
      );
    }
    const at = this.pos - this.bufStart;
    if (at >= 0 && at + n <= this.buf.length) return at;
    const len = Math.min(Math.max(n, WINDOW), this.remaining());
    this.buf = new Uint8Array(len);
    this.view = new DataView(this.buf.buffer);
    this.bufStart = this.pos;
    readExactly(this.fd, this.buf, this.pos, this.file, what);
    return 0;
  }

  u8(what: string): number {
    const at = this.need(1, what);
    this.pos += 1;
    return this.buf[at]!;
  }

  u32(what: string): number {
    const at = this.need(4, what);
    this.pos += 4;
    return this.view.getUint32(at, true);
  }

  u64(what: string): bigint {
    const at = this.need(8, what);
    this.pos += 8;
    return this.view.getBigUint64(at, true);
  }

  /** A copy of the next `n` bytes. */
  bytes(n: number, what: string): Uint8Array {
    const at = this.need(n, what);
    this.pos += n;
    return this.buf.slice(at, at + n);
  }

  /** A DataView on the next `n` bytes (valid until the next read). */
  dataView(n: number, what: string): DataView {
    const at = this.need(n, what);
    this.pos += n;
    return new DataView(this.buf.buffer, at, n);
  }
}
