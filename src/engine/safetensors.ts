// Minimal safetensors reader/writer (F32 only). The format: 8-byte little-endian header length N,
// N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}},
// then the raw little-endian tensor data (offsets relative to the end of the header).
// Written here rather than taken from npm: no well-kept Node package writes the format, and the
// spec is a few lines.
import { readFileSync } from 'node:fs';
import { atomicWrite } from './atomic.js';

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Writes atomically: a temporary file in the same folder, then rename. */
export function writeSafetensors(
  path: string,
  tensors: NamedTensor[],
  metadata: Record<string, string> = {},
): void {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let off = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length)
      throw new Error(
        `writeSafetensors: tensor ${t.name} has ${t.data.length} values for shape [${t.shape}]`,
      );
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + n * 4] };
    off += n * 4;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8); // align the data start to 8 bytes
  const hbytes = Buffer.from(json, 'utf8');
  const buf = Buffer.alloc(8 + hbytes.length + off);
  buf.writeBigUInt64LE(BigInt(hbytes.length), 0);
  hbytes.copy(buf, 8);
  let p = 8 + hbytes.length;
  for (const t of tensors) {
    const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (isLittleEndian()) bytes.copy(buf, p);
    else for (let i = 0; i < t.data.length; i++) buf.writeFloatLE(t.data[i]!, p + i * 4);
    p += t.data.byteLength;
  }
  atomicWrite(path, buf);
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

export class SafetensorsFile {
  readonly path: string;
  readonly header: Record<string, SafetensorsEntry>;
  readonly metadata: Record<string, string>;
  private readonly buf: Buffer;
  private readonly dataStart: number;

  constructor(path: string) {
    this.path = path;
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch (e) {
      throw new Error(`${path}: cannot read safetensors file (${(e as Error).message})`);
    }
    this.buf = buf;
    if (buf.length < 8)
      throw new Error(
        `${path}: corrupt safetensors file: ${buf.length} bytes, too short for the header length`,
      );
    const n = buf.readBigUInt64LE(0);
    if (n > BigInt(buf.length - 8)) {
      throw new Error(
        `${path}: corrupt or truncated safetensors file: header length ${n} exceeds the file size ${buf.length}`,
      );
    }
    const hlen = Number(n);
    let parsed: unknown;
    try {
      parsed = JSON.parse(buf.subarray(8, 8 + hlen).toString('utf8'));
    } catch (e) {
      throw new Error(`${path}: corrupt safetensors header (not JSON: ${(e as Error).message})`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error(`${path}: corrupt safetensors header (not an object)`);
    const h = parsed as Record<string, unknown>;
    this.metadata = (h.__metadata__ as Record<string, string>) ?? {};
    delete h.__metadata__;
    this.dataStart = 8 + hlen;
    const dataLen = buf.length - this.dataStart;
    for (const [name, e] of Object.entries(h)) {
      const en = e as SafetensorsEntry;
      if (
        !en ||
        typeof en.dtype !== 'string' ||
        !Array.isArray(en.shape) ||
        !Array.isArray(en.data_offsets) ||
        en.data_offsets.length !== 2
      ) {
        throw new Error(`${path}: corrupt safetensors header: entry for tensor "${name}" is malformed`);
      }
      const [b, f] = en.data_offsets;
      if (!(Number.isInteger(b) && Number.isInteger(f) && b >= 0 && f >= b)) {
        throw new Error(
          `${path}: corrupt safetensors header: tensor "${name}" has invalid data_offsets [${b}, ${f}]`,
        );
      }
      if (f > dataLen) {
        throw new Error(
          `${path}: truncated safetensors file: tensor "${name}" ends at byte ${f} of the data but the data has ${dataLen} bytes`,
        );
      }
    }
    this.header = h as Record<string, SafetensorsEntry>;
  }

  has(name: string): boolean {
    return name in this.header;
  }

  /** Reads an F32 tensor, checking dtype, shape (if given) and byte size. */
  read(name: string, expectedShape?: number[]): Float32Array {
    const e = this.header[name];
    if (!e) throw new Error(`${this.path}: tensor "${name}" is missing`);
    if (e.dtype !== 'F32')
      throw new Error(`${this.path}: tensor "${name}" has dtype ${e.dtype}, expected F32`);
    if (
      expectedShape &&
      (e.shape.length !== expectedShape.length || e.shape.some((d, i) => d !== expectedShape[i]))
    ) {
      throw new Error(
        `${this.path}: tensor "${name}" has shape [${e.shape.join(', ')}], expected [${expectedShape.join(', ')}]`,
      );
    }
    const n = e.shape.reduce((a, b) => a * b, 1);
    const [b, f] = e.data_offsets;
    if (f - b !== n * 4) {
      throw new Error(
        `${this.path}: corrupt safetensors file: tensor "${name}" has ${f - b} bytes for shape [${e.shape.join(', ')}] (expected ${n * 4})`,
      );
    }
    const out = new Float32Array(n);
    const start = this.dataStart + b;
    if (isLittleEndian()) new Uint8Array(out.buffer).set(this.buf.subarray(start, start + n * 4));
    else for (let i = 0; i < n; i++) out[i] = this.buf.readFloatLE(start + i * 4);
    return out;
  }
}
