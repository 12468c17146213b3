/**
 * Batch gradients of a network (net.ts), either in this thread or data-parallel over worker_threads.
 * The batch is always split into the same fixed number of shards (SHARDS), each shard's
 * gradient is summed from zero in sample order, and the shard sums are added in shard
 * order, so the result is bit-identical whatever the number of threads.
 */
import { Worker } from "node:worker_threads";
import { IMAGE_SIZE, type MnistSplit } from "./mnist";
import { SpectralNet, type Teacher } from "./net";

/** One mask per conv layer, [kernel][layout index], 1 = kept (train.ts Masks). */
export type ConvMasks = readonly Uint8Array[];

export const SHARDS = 2;

/**
 * Version of the arithmetic of the gradients, part of every checkpoint's fingerprint: engines
 * that round differently give different weights from the same seed, so a checkpoint of one is
 * not continued by another. 1: spectral/conv.ts per sample; 2: train-conv.ts.
 */
export const ENGINE_VERSION = 2;

export interface BatchResult {
  loss: number;
  correct: number;
}

export interface GradEngine {
  /**
   * grad = sum over the batch of per-sample gradients (not averaged). `shifts` (2 per sample,
   * rows then columns) translates each image before use (augmentation); absent = no shift.
   */
  batchGrad(theta: Float64Array, idx: Int32Array, grad: Float64Array, shifts?: Int8Array): Promise<BatchResult>;
  /** From now on only the kept entries of the conv weights take part (masked retraining); undefined = all. */
  setMasks(masks: ConvMasks | undefined): Promise<void>;
  /** From now on the gradients include distillation from `teacher` (net.ts Teacher); undefined = none. */
  setTeacher(teacher: TeacherSpec | undefined): Promise<void>;
  close(): Promise<void>;
}

/** A teacher as sent to the engine: the network is the trained one's (same definition). */
export interface TeacherSpec {
  readonly theta: Float64Array;
  readonly alpha: number;
  readonly temperature: number;
}

function shardBounds(n: number, s: number): [number, number] {
  return [Math.floor((n * s) / SHARDS), Math.floor((n * (s + 1)) / SHARDS)];
}

/** dst = src translated by (dy, dx) pixels, zero-filled (an IMAGE_SIZE x IMAGE_SIZE image). */
export function shiftImage(src: Float64Array, dy: number, dx: number, dst: Float64Array): Float64Array {
  const S = IMAGE_SIZE;
  dst.fill(0);
  for (let r = Math.max(0, dy); r < Math.min(S, S + dy); r++) {
    for (let c = Math.max(0, dx); c < Math.min(S, S + dx); c++) dst[r * S + c] = src[(r - dy) * S + c - dx]!;
  }
  return dst;
}

export function shardGrad(
  net: SpectralNet,
  data: MnistSplit,
  theta: Float64Array,
  idx: ArrayLike<number>,
  lo: number,
  hi: number,
  grad: Float64Array,
  shifts?: ArrayLike<number>,
  masks?: ConvMasks,
  teacher?: Teacher,
): BatchResult {
  grad.fill(0);
  const moved = new Float64Array(784);
  return net.batchLossAndGrad(
    theta,
    masks,
    hi - lo,
    (k) => {
      const q = lo + k;
      const i = idx[q]!;
      const img = data.images.subarray(i * 784, (i + 1) * 784);
      const dy = shifts ? shifts[2 * q]! : 0;
      const dx = shifts ? shifts[2 * q + 1]! : 0;
      return [dy || dx ? shiftImage(img, dy, dx, moved) : img, data.labels[i]!];
    },
    grad,
    teacher,
  );
}

export class LocalEngine implements GradEngine {
  private readonly shard: Float64Array[];
  private masks: ConvMasks | undefined;
  private teacher: Teacher | undefined;
  constructor(
    private readonly net: SpectralNet,
    private readonly data: MnistSplit,
  ) {
    this.shard = Array.from({ length: SHARDS }, () => new Float64Array(net.size));
  }
  async batchGrad(theta: Float64Array, idx: Int32Array, grad: Float64Array, shifts?: Int8Array): Promise<BatchResult> {
    let loss = 0;
    let correct = 0;
    for (let s = 0; s < SHARDS; s++) {
      const [lo, hi] = shardBounds(idx.length, s);
      const r = shardGrad(this.net, this.data, theta, idx, lo, hi, this.shard[s]!, shifts, this.masks, this.teacher);
      loss += r.loss;
      correct += r.correct;
    }
    sumShards(this.shard, grad);
    return { loss, correct };
  }
  async setMasks(masks: ConvMasks | undefined): Promise<void> {
    this.masks = masks;
  }
  async setTeacher(t: TeacherSpec | undefined): Promise<void> {
    // the teacher's weights are loaded into operators of their own: a second instance of the network
    this.teacher = t && { ...t, net: this.teacher?.net ?? new SpectralNet(this.net.def) };
  }
  async close(): Promise<void> {}
}

function sumShards(shards: Float64Array[], grad: Float64Array): void {
  grad.set(shards[0]!);
  for (let s = 1; s < shards.length; s++) {
    const g = shards[s]!;
    for (let q = 0; q < grad.length; q++) grad[q] += g[q]!;
  }
}

/** Messages to worker.ts: a shard's gradient, or the masks of the following batches. */
export type WorkerRequest =
  | { kind: "grad"; lo: number; hi: number; shifted: boolean }
  | { kind: "masks"; masks: Uint8Array[] | undefined }
  | { kind: "teacher"; teacher: TeacherSpec | undefined };

/** SHARDS worker threads sharing theta (SharedArrayBuffer); each computes one shard. */
export class WorkerEngine implements GradEngine {
  private readonly workers: Worker[] = [];
  private readonly thetaShared: Float64Array;
  private readonly grads: Float64Array[];
  private readonly idxShared: Int32Array;
  private readonly shiftShared: Int8Array;

  /** `network`: a name of networks.ts; `size`: its parameter count */
  constructor(network: string, size: number, trainLimit: number | undefined, maxBatch: number) {
    this.thetaShared = new Float64Array(new SharedArrayBuffer(size * 8));
    this.grads = Array.from({ length: SHARDS }, () => new Float64Array(new SharedArrayBuffer(size * 8)));
    this.idxShared = new Int32Array(new SharedArrayBuffer(maxBatch * 4));
    this.shiftShared = new Int8Array(new SharedArrayBuffer(maxBatch * 2));
    for (let s = 0; s < SHARDS; s++) {
      const w = new Worker(new URL("./worker-boot.mjs", import.meta.url), {
        workerData: { network, trainLimit, theta: this.thetaShared, grad: this.grads[s], idx: this.idxShared, shifts: this.shiftShared },
      });
      w.unref();
      this.workers.push(w);
    }
  }

  /** Sends one message to every worker (msg(s) for worker s) and waits for each one's reply. */
  private request<T>(msg: (s: number) => WorkerRequest): Promise<T[]> {
    return Promise.all(
      this.workers.map(
        (w, s) =>
          new Promise<T>((resolve, reject) => {
            const onMsg = (m: T): void => {
              w.off("error", onErr);
              resolve(m);
            };
            const onErr = (e: Error): void => {
              w.off("message", onMsg);
              reject(e);
            };
            w.once("message", onMsg);
            w.once("error", onErr);
            w.postMessage(msg(s));
          }),
      ),
    );
  }

  async batchGrad(theta: Float64Array, idx: Int32Array, grad: Float64Array, shifts?: Int8Array): Promise<BatchResult> {
    this.thetaShared.set(theta);
    this.idxShared.set(idx);
    if (shifts) this.shiftShared.set(shifts);
    const results = await this.request<BatchResult>((s) => {
      const [lo, hi] = shardBounds(idx.length, s);
      return { kind: "grad", lo, hi, shifted: shifts !== undefined };
    });
    sumShards(this.grads, grad);
    return results.reduce((a, b) => ({ loss: a.loss + b.loss, correct: a.correct + b.correct }), { loss: 0, correct: 0 });
  }

  async setMasks(masks: ConvMasks | undefined): Promise<void> {
    await this.request<unknown>(() => ({ kind: "masks", masks: masks?.map((m) => m.slice()) }));
  }

  async setTeacher(teacher: TeacherSpec | undefined): Promise<void> {
    await this.request<unknown>(() => ({ kind: "teacher", teacher: teacher && { ...teacher, theta: teacher.theta.slice() } }));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
