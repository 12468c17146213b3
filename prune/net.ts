/**
 * A sequential network with spectral conv layers (the operator of spectral/conv.ts, computed by
 * train-conv.ts), hand-written on typed arrays: the definition (layer list), its parameter
 * layout in one Float64Array, He-normal initialisation, forward passes, loss and gradients.
 * Conv layers are the half-plane spectral weights themselves (Hermitian); each conv is followed
 * by a ReLU. Layers before the last conv may only be convs and 2x2 max-pools (so the golden
 * model can run that part on integer words); everything after it is the float "head".
 *
 * The conv operators hold their own copy of the conv weights: every method taking `theta`
 * reloads it, except inside withWeights, which loads it once for many images.
 */
import { spatialToSpectral, type ConvShape } from "../spectral/conv";
import { halfPlaneSize } from "../spectral/layout";
import { Rng } from "../spectral/rng";
import { TrainConv } from "./train-conv";

export type LayerSpec =
  | { readonly kind: "conv"; readonly name: string; readonly shape: ConvShape }
  | { readonly kind: "pool" }
  | { readonly kind: "fc"; readonly nin: number; readonly nout: number; readonly relu: boolean };

export interface NetworkDef {
  /** the --network name */
  readonly name: string;
  /** one line for reports and pictures */
  readonly title: string;
  readonly input: { readonly c: number; readonly h: number; readonly w: number };
  readonly layers: readonly LayerSpec[];
}

/** Offsets of one layer's weights and biases in theta. */
export interface ParamSeg {
  readonly W: [number, number];
  readonly b: [number, number];
}

export function view(theta: Float64Array, s: readonly [number, number]): Float64Array {
  return theta.subarray(s[0], s[1]);
}

export function argmax(z: ArrayLike<number>): number {
  let b = 0;
  for (let c = 1; c < z.length; c++) if (z[c]! > z[b]!) b = c;
  return b;
}

/** softmax(z / T), shifted by the maximum for range. */
export function softmax(z: ArrayLike<number>, T: number): Float64Array {
  let m = -Infinity;
  for (let c = 0; c < z.length; c++) m = Math.max(m, z[c]!);
  const p = new Float64Array(z.length);
  let s = 0;
  for (let c = 0; c < z.length; c++) s += p[c] = Math.exp((z[c]! - m) / T);
  for (let c = 0; c < z.length; c++) p[c]! /= s;
  return p;
}

/**
 * Distillation: a trained network (its own SpectralNet instance: weights are loaded into the
 * operators) whose softened outputs the trained one also learns, with weight `alpha` at temperature `temperature`.
 */
export interface Teacher {
  readonly net: SpectralNet;
  readonly theta: Float64Array;
  readonly alpha: number;
  readonly temperature: number;
}

/** 2x2 max-pool, stride 2 (an odd last row / column is dropped); `arg` receives the argmax index. */
export function maxpool2(x: Float64Array, c: number, h: number, w: number, arg: Int32Array | undefined): Float64Array {
  const ho = h >> 1;
  const wo = w >> 1;
  const y = new Float64Array(c * ho * wo);
  for (let ch = 0; ch < c; ch++) {
    for (let r = 0; r < ho; r++) {
      for (let q = 0; q < wo; q++) {
        const i0 = (ch * h + 2 * r) * w + 2 * q;
        let best = i0;
        if (x[i0 + 1]! > x[best]!) best = i0 + 1;
        if (x[i0 + w]! > x[best]!) best = i0 + w;
        if (x[i0 + w + 1]! > x[best]!) best = i0 + w + 1;
        const o = (ch * ho + r) * wo + q;
        y[o] = x[best]!;
        if (arg) arg[o] = best;
      }
    }
  }
  return y;
}

function fcForward(W: Float64Array, b: Float64Array, x: Float64Array, nout: number, nin: number, relu: boolean): Float64Array {
  const y = new Float64Array(nout);
  for (let o = 0; o < nout; o++) {
    let s = b[o]!;
    const base = o * nin;
    for (let i = 0; i < nin; i++) s += W[base + i]! * x[i]!;
    y[o] = relu && s < 0 ? 0 : s;
  }
  return y;
}

/** dy already masked by the ReLU; accumulates dW, db, returns dx */
function fcBackward(W: Float64Array, x: Float64Array, dy: Float64Array, nout: number, nin: number, dW: Float64Array, db: Float64Array): Float64Array {
  const dx = new Float64Array(nin);
  for (let o = 0; o < nout; o++) {
    const g = dy[o]!;
    if (g === 0) continue;
    db[o] += g;
    const base = o * nin;
    for (let i = 0; i < nin; i++) {
      dW[base + i] += g * x[i]!;
      dx[i] += g * W[base + i]!;
    }
  }
  return dx;
}

interface Dims {
  c: number;
  h: number;
  w: number;
}

/** The compiled network: layout, operators, scratch buffers (one instance per thread). */
export class SpectralNet {
  readonly def: NetworkDef;
  /** parameter segments, one per conv / fc layer, in layer order */
  readonly segs: readonly ParamSeg[];
  readonly size: number;
  /** indices into def.layers of the conv layers, in order */
  readonly convLayers: readonly number[];
  readonly convShapes: readonly ConvShape[];
  /** segs index of each layer (-1 for pools) */
  private readonly segOf: readonly number[];
  /** input dims of each layer */
  readonly dims: readonly Dims[];
  private readonly convs: (TrainConv | undefined)[];
  private readonly args: (Int32Array | undefined)[];
  /** the theta whose conv weights withWeights loaded (undefined outside withWeights) */
  private pinned: Float64Array | undefined;

  constructor(def: NetworkDef) {
    this.def = def;
    let off = 0;
    const seg = (n: number): [number, number] => {
      const s: [number, number] = [off, off + n];
      off += n;
      return s;
    };
    const segs: ParamSeg[] = [];
    const segOf: number[] = [];
    const dims: Dims[] = [];
    const convLayers: number[] = [];
    let d: Dims = { ...def.input };
    def.layers.forEach((l, li) => {
      dims.push(d);
      if (l.kind === "conv") {
        const s = l.shape;
        if (s.cin !== d.c || s.h !== d.h || s.w !== d.w) throw new Error(`${def.name}: layer ${li} (${l.name}) expects ${s.cin}x${s.h}x${s.w}, gets ${d.c}x${d.h}x${d.w}`);
        segOf.push(segs.length);
        segs.push({ W: seg(s.cout * s.cin * halfPlaneSize(s.K) * 2), b: seg(s.cout) });
        convLayers.push(li);
        d = { c: s.cout, h: s.h + 2 * s.p - s.k + 1, w: s.w + 2 * s.p - s.k + 1 };
      } else if (l.kind === "pool") {
        segOf.push(-1);
        d = { c: d.c, h: d.h >> 1, w: d.w >> 1 };
      } else {
        if (l.nin !== d.c * d.h * d.w) throw new Error(`${def.name}: layer ${li} (fc) expects ${l.nin} inputs, gets ${d.c * d.h * d.w}`);
        segOf.push(segs.length);
        segs.push({ W: seg(l.nout * l.nin), b: seg(l.nout) });
        d = { c: l.nout, h: 1, w: 1 };
      }
    });
    const lastConv = convLayers[convLayers.length - 1] ?? -1;
    def.layers.slice(0, lastConv).forEach((l, li) => {
      if (l.kind === "fc") throw new Error(`${def.name}: layer ${li} is fully connected but comes before the last conv layer`);
    });
    this.segs = segs;
    this.segOf = segOf;
    this.size = off;
    this.dims = dims;
    this.convLayers = convLayers;
    this.convShapes = convLayers.map((li) => (def.layers[li] as { shape: ConvShape }).shape);
    this.convs = def.layers.map((l) => (l.kind === "conv" ? new TrainConv(l.shape) : undefined));
    this.args = def.layers.map((l, li) => (l.kind === "pool" ? new Int32Array(dims[li]!.c * (dims[li]!.h >> 1) * (dims[li]!.w >> 1)) : undefined));
  }

  /** Weight segment of the c-th conv layer. */
  convW(c: number): [number, number] {
    return this.segs[this.segOf[this.convLayers[c]!]!]!.W;
  }

  convB(c: number): [number, number] {
    return this.segs[this.segOf[this.convLayers[c]!]!]!.b;
  }

  /** Number of spectral kernels (cout * cin) of the c-th conv layer. */
  kernels(c: number): number {
    const s = this.convShapes[c]!;
    return s.cout * s.cin;
  }

  /** He-normal initialisation; conv kernels drawn spatially and transformed (so they start Hermitian). */
  init(seed: number): Float64Array {
    const rng = new Rng(seed);
    const theta = new Float64Array(this.size);
    this.def.layers.forEach((l, li) => {
      const s = this.segOf[li]!;
      if (l.kind === "conv") {
        const { cin, cout, k } = l.shape;
        const w = Float64Array.from({ length: cout * cin * k * k }, () => rng.normal() * Math.sqrt(2 / (cin * k * k)));
        view(theta, this.segs[s]!.W).set(spatialToSpectral(l.shape, w));
      } else if (l.kind === "fc") {
        const seg = this.segs[s]!.W;
        for (let q = seg[0]; q < seg[1]; q++) theta[q] = rng.normal() * Math.sqrt(2 / l.nin);
      }
    });
    return theta;
  }

  /** Loads theta's conv weights (and clears their gradients); `masks`: only kept entries take part. */
  private load(theta: Float64Array, masks?: readonly Uint8Array[]): void {
    this.convLayers.forEach((li, c) => this.convs[li]!.setWeights(view(theta, this.convW(c)), view(theta, this.convB(c)), masks?.[c]));
  }

  /**
   * Runs `f` with theta's conv weights loaded once; theta must not change while `f` runs, and
   * every call inside must pass this theta. With `masks` (one per conv layer, 1 = kept) the
   * pruned entries are skipped: their weights must be zero, and their gradients stay zero.
   */
  withWeights<T>(theta: Float64Array, masks: readonly Uint8Array[] | undefined, f: () => T): T {
    if (this.pinned) throw new Error(`${this.def.name}: withWeights does not nest`);
    this.load(theta, masks);
    this.pinned = theta;
    try {
      return f();
    } finally {
      this.pinned = undefined;
    }
  }

  private ensureLoaded(theta: Float64Array): void {
    if (this.pinned === undefined) this.load(theta);
    else if (this.pinned !== theta) throw new Error(`${this.def.name}: another theta than the one withWeights loaded`);
  }

  /**
   * Forward pass from layer `from` (input x) to the end, or to just after layer `to` - 1.
   * Returns the activations entering every layer plus the output; conv outputs are ReLU'd.
   * With `record`, pools store their argmax (for backward; the convs always keep their input spectra).
   */
  forward(theta: Float64Array, x: ArrayLike<number>, from = 0, to = this.def.layers.length, record = false): Float64Array[] {
    const acts: Float64Array[] = [];
    let a: Float64Array = x instanceof Float64Array ? x : Float64Array.from(x);
    if (this.def.layers.slice(from, to).some((l) => l.kind === "conv")) this.ensureLoaded(theta);
    for (let li = from; li < to; li++) {
      acts.push(a);
      const l = this.def.layers[li]!;
      const d = this.dims[li]!;
      if (l.kind === "conv") {
        a = this.convs[li]!.forward(a);
        for (let q = 0; q < a.length; q++) if (a[q]! < 0) a[q] = 0;
      } else if (l.kind === "pool") {
        a = maxpool2(a, d.c, d.h, d.w, record ? this.args[li] : undefined);
      } else {
        const s = this.segs[this.segOf[li]!]!;
        a = fcForward(view(theta, s.W), view(theta, s.b), a, l.nout, l.nin, l.relu);
      }
    }
    acts.push(a);
    return acts;
  }

  /** Index of the layer after the last conv: the head starts there. */
  get headStart(): number {
    return this.convLayers[this.convLayers.length - 1]! + 1;
  }

  /** The outputs (after ReLU) of every conv layer of one image. */
  convOutputs(theta: Float64Array, img: ArrayLike<number>): Float64Array[] {
    const acts = this.forward(theta, img, 0, this.headStart);
    return this.convLayers.map((li) => acts[li + 1]!);
  }

  /** Logits from the last conv layer's output (after ReLU). */
  head(theta: Float64Array, last: Float64Array): Float64Array {
    const acts = this.forward(theta, last, this.headStart);
    return acts[acts.length - 1]!;
  }

  predict(theta: Float64Array, img: ArrayLike<number>): number {
    return argmax(this.logits(theta, img));
  }

  logits(theta: Float64Array, img: ArrayLike<number>): Float64Array {
    const acts = this.forward(theta, img);
    return acts[acts.length - 1]!;
  }

  /** Cross-entropy loss of one sample; accumulates its gradient into `grad` (same layout as theta). */
  lossAndGrad(theta: Float64Array, img: ArrayLike<number>, label: number, grad: Float64Array): { loss: number; correct: boolean } {
    const r = this.batchLossAndGrad(theta, undefined, 1, () => [img, label], grad);
    return { loss: r.loss, correct: r.correct === 1 };
  }

  /**
   * Sum over `count` samples (sample(q) gives image and label) of the cross-entropy loss and
   * its gradient, accumulated into `grad` in sample order; conv weights loaded once (masks as
   * in withWeights).
   */
  batchLossAndGrad(
    theta: Float64Array,
    masks: readonly Uint8Array[] | undefined,
    count: number,
    sample: (q: number) => readonly [ArrayLike<number>, number],
    grad: Float64Array,
    teacher?: Teacher,
  ): { loss: number; correct: number } {
    let loss = 0;
    let correct = 0;
    const run = (): void =>
      this.withWeights(theta, masks, () => {
        for (let q = 0; q < count; q++) {
          const [img, label] = sample(q);
          const r = this.sampleGrad(theta, img, label, grad, teacher);
          loss += r.loss;
          if (r.correct) correct++;
        }
      });
    if (teacher) teacher.net.withWeights(teacher.theta, undefined, run);
    else run();
    this.convLayers.forEach((li, c) => this.convs[li]!.addGrads(view(grad, this.convW(c)), view(grad, this.convB(c))));
    return { loss, correct };
  }

  /**
   * One sample: loss (the cross-entropy with the label), fc gradients into `grad`, conv gradients
   * into the operators. With a teacher the gradient is that of (1 - alpha) CE + alpha T^2
   * KL(teacher_T || student_T), the softmaxes at temperature T (distillation).
   */
  private sampleGrad(theta: Float64Array, img: ArrayLike<number>, label: number, grad: Float64Array, teacher?: Teacher): { loss: number; correct: boolean } {
    const acts = this.forward(theta, img, 0, this.def.layers.length, true);
    const z = acts[acts.length - 1]!;
    const pr = softmax(z, 1);
    const loss = -Math.log(Math.max(pr[label]!, 1e-300));
    const correct = argmax(z) === label;
    pr[label]! -= 1; // dL/dz of the cross-entropy
    if (teacher) {
      const { alpha, temperature: T } = teacher;
      const zt = teacher.net.logits(teacher.theta, img);
      const ps = softmax(z, T);
      const pt = softmax(zt, T);
      for (let c = 0; c < pr.length; c++) pr[c] = (1 - alpha) * pr[c]! + alpha * T * (ps[c]! - pt[c]!);
    }
    let g: Float64Array = pr;
    for (let li = this.def.layers.length - 1; li >= 0; li--) {
      const l = this.def.layers[li]!;
      const x = acts[li]!;
      if (l.kind === "fc") {
        const sg = this.segs[this.segOf[li]!]!;
        g = fcBackward(view(theta, sg.W), x, g, l.nout, l.nin, view(grad, sg.W), view(grad, sg.b));
        const prev = this.def.layers[li - 1];
        // the ReLU of the layer before (an fc with relu) masks the gradient
        if (prev?.kind === "fc" && prev.relu) for (let q = 0; q < g.length; q++) if (x[q]! <= 0) g[q] = 0;
      } else if (l.kind === "pool") {
        const d = this.dims[li]!;
        const arg = this.args[li]!;
        const dx = new Float64Array(d.c * d.h * d.w);
        for (let q = 0; q < g.length; q++) dx[arg[q]!] += g[q]!;
        // the input of a pool is a conv output after ReLU
        for (let q = 0; q < dx.length; q++) if (x[q]! <= 0) dx[q] = 0;
        g = dx;
      } else {
        if (this.def.layers[li + 1]?.kind !== "pool") {
          // conv output after ReLU feeding a conv or the head directly: mask here
          const y = acts[li + 1]!;
          for (let q = 0; q < g.length; q++) if (y[q]! <= 0) g[q] = 0;
        }
        const dx = this.convs[li]!.backward(g, li > 0);
        if (li === 0) break;
        g = dx!;
      }
    }
    return { loss, correct };
  }
}
