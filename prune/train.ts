/**
 * Training phases: dense training, ADMM (SPEC2.md section 2), hard prune + masked retraining.
 * Adam on the sum-of-sample gradients / batch size. Deterministic for a given seed: the
 * epoch order is a shuffle from Rng(seed * 1000 + global epoch), and gradients are summed in
 * a fixed shard order (engine.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { Rng } from "../spectral/rng";
import type { GradEngine } from "./engine";
import { Progress, writeFileAtomic } from "./io";
import { view, type SpectralNet } from "./net";
import type { MnistSplit } from "./mnist";
import { applyMask, projectLayerMask, symmetrize } from "../spectral/project";

/** FFT size of every spectral layer here */
const K_FFT = 8;

export interface TrainConfig {
  readonly seed: number;
  readonly batch: number;
  readonly denseEpochs: number;
  readonly admmEpochs: number;
  readonly retrainEpochs: number;
  /** Adam learning rates at the start of each phase; multiplied by lrDecay after every epoch of the phase */
  readonly lrDense: number;
  readonly lrAdmm: number;
  readonly lrRetrain: number;
  readonly lrDecay: number;
  /** initial ADMM penalty and its growth factor per Z/U update */
  readonly rho0: number;
  readonly rhoGrowth: number;
  /** Z/U updates per ADMM epoch */
  readonly admmUpdatesPerEpoch: number;
  /** augmentation: every training image is translated by up to this many pixels (rows and columns, uniform); 0 = none */
  readonly shift: number;
  /** use only the first `trainSteps` batches of every epoch (tests); undefined = all */
  readonly stepsPerEpoch?: number;
  /**
   * Masked retraining also learns the dense model's softened outputs (distillation, net.ts
   * Teacher) with this weight; 0 = plain cross-entropy.
   */
  readonly distill: number;
  /** softmax temperature of the distillation */
  readonly distillTemperature: number;
}

export const DEFAULT_TRAIN: TrainConfig = {
  seed: 1,
  batch: 32,
  denseEpochs: 20,
  admmEpochs: 4,
  retrainEpochs: 10,
  lrDense: 2e-3,
  lrAdmm: 5e-4,
  lrRetrain: 1e-3,
  lrDecay: 0.85,
  rho0: 0.05,
  rhoGrowth: 1.16,
  admmUpdatesPerEpoch: 10,
  shift: 2,
  distill: 0,
  distillTemperature: 4,
};

export class Adam {
  m: Float64Array;
  v: Float64Array;
  t = 0;
  constructor(n: number) {
    this.m = new Float64Array(n);
    this.v = new Float64Array(n);
  }
  step(theta: Float64Array, grad: Float64Array, lr: number): void {
    const b1 = 0.9;
    const b2 = 0.999;
    this.t++;
    const c1 = 1 / (1 - b1 ** this.t);
    const c2 = 1 / (1 - b2 ** this.t);
    const { m, v } = this;
    for (let q = 0; q < theta.length; q++) {
      const g = grad[q]!;
      m[q] = b1 * m[q]! + (1 - b1) * g;
      v[q] = b2 * v[q]! + (1 - b2) * g * g;
      theta[q] -= (lr * (m[q]! * c1)) / (Math.sqrt(v[q]! * c2) + 1e-8);
    }
  }
}

/** ADMM variables, one Z and one U per conv layer (same layout as its weights). */
export interface AdmmState {
  Z: Float64Array[];
  U: Float64Array[];
  rho: number;
  updates: number;
}

/** One kept/pruned mask per conv layer: mask[kernel * L + layout index]. */
export type Masks = Uint8Array[];

/** State of a phase, checkpointed after every epoch. */
export interface PhaseState {
  theta: Float64Array;
  adam: Adam;
  epochDone: number;
  admm?: AdmmState;
  masks?: Masks;
  log: string[];
}

/** Float test accuracy; `masks` (the pruned model's) only make it faster. */
export function evaluate(net: SpectralNet, theta: Float64Array, data: MnistSplit, label?: string, quiet = false, masks?: Masks): number {
  const pr = label ? new Progress(label, data.count, quiet) : undefined;
  let ok = 0;
  net.withWeights(theta, masks, () => {
    for (let i = 0; i < data.count; i++) {
      if (net.predict(theta, data.images.subarray(i * 784, (i + 1) * 784)) === data.labels[i]) ok++;
      if (pr && i % 200 === 0) pr.update(i);
    }
  });
  pr?.done(`accuracy ${(ok / data.count).toFixed(4)}`);
  return ok / data.count;
}

function epochOrder(seed: number, globalEpoch: number, n: number): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  new Rng(seed * 1000 + globalEpoch).shuffle(idx);
  return idx;
}

/** Per position of the epoch order: (rows, columns) translation in [-max, max], from its own seeded stream. */
export function epochShifts(seed: number, globalEpoch: number, n: number, max: number): Int8Array {
  const rng = new Rng((seed * 1000 + globalEpoch + 0x40000000) >>> 0);
  return Int8Array.from({ length: 2 * n }, () => rng.int(2 * max + 1) - max);
}

export function admmProject(net: SpectralNet, n: number, theta: Float64Array, st: AdmmState): { residual: number } {
  // Z = proj(W + U), U += W - Z
  let res = 0;
  let norm = 0;
  for (let c = 0; c < net.convLayers.length; c++) {
    const W = view(theta, net.convW(c));
    const Z = st.Z[c]!;
    const U = st.U[c]!;
    const kernels = net.kernels(c);
    const WU = new Float64Array(W.length);
    for (let q = 0; q < W.length; q++) WU[q] = W[q]! + U[q]!;
    const mask = projectLayerMask(K_FFT, WU, kernels, n);
    applyMask(WU, mask, Z);
    for (let q = 0; q < W.length; q++) {
      const d = W[q]! - Z[q]!;
      U[q] += d;
      res += d * d;
      norm += W[q]! ** 2;
    }
  }
  st.updates++;
  return { residual: Math.sqrt(res / norm) };
}

export function masksFromZ(net: SpectralNet, n: number, st: AdmmState): Masks {
  return st.Z.map((Z, c) => projectLayerMask(K_FFT, Z, net.kernels(c), n));
}

export function masksFromWeights(net: SpectralNet, n: number, theta: Float64Array): Masks {
  return net.convLayers.map((_, c) => projectLayerMask(K_FFT, view(theta, net.convW(c)), net.kernels(c), n));
}

export function applyMasks(net: SpectralNet, theta: Float64Array, masks: Masks): void {
  masks.forEach((m, c) => applyMask(view(theta, net.convW(c)), m));
}

export type PhaseKind = "dense" | "admm" | "retrain";

export interface PhaseOptions {
  kind: PhaseKind;
  net: SpectralNet;
  cfg: TrainConfig;
  engine: GradEngine;
  data: MnistSplit;
  epochs: number;
  lr: number;
  /** epochs of earlier phases, so every epoch gets its own shuffle */
  epochOffset: number;
  /** layout entries kept per kernel (admm / retrain) */
  n?: number;
  /** retrain: the dense model's parameters, the teacher when cfg.distill > 0 */
  teacher?: Float64Array;
  checkpoint?: string;
  fingerprint?: string;
  quiet?: boolean;
}

/** Runs (or resumes) one phase, checkpointing after every epoch. */
export async function runPhase(state: PhaseState, o: PhaseOptions): Promise<PhaseState> {
  const { cfg, engine, data, net } = o;
  const grad = new Float64Array(net.size);
  const batches = Math.min(Math.floor(data.count / cfg.batch), cfg.stepsPerEpoch ?? Infinity);
  const convs = net.convLayers.map((_, c) => ({ W: view(state.theta, net.convW(c)), seg: net.convW(c), kernels: net.kernels(c) }));
  await engine.setMasks(o.kind === "retrain" ? state.masks : undefined);
  const distill = o.kind === "retrain" && cfg.distill > 0;
  if (distill && !o.teacher) throw new Error("runPhase: distillation needs the dense model (PhaseOptions.teacher)");
  await engine.setTeacher(distill ? { theta: o.teacher!, alpha: cfg.distill, temperature: cfg.distillTemperature } : undefined);
  for (let e = state.epochDone; e < o.epochs; e++) {
    const order = epochOrder(cfg.seed, o.epochOffset + e, data.count);
    const shifts = cfg.shift > 0 ? epochShifts(cfg.seed, o.epochOffset + e, data.count, cfg.shift) : undefined;
    const lr = o.lr * cfg.lrDecay ** e;
    const updateEvery = Math.max(1, Math.floor(batches / cfg.admmUpdatesPerEpoch));
    const pr = new Progress(`${o.kind} epoch ${e + 1}/${o.epochs}`, batches, o.quiet);
    const tEpoch = Date.now();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let lastResidual = NaN;
    for (let b = 0; b < batches; b++) {
      const idx = order.subarray(b * cfg.batch, (b + 1) * cfg.batch);
      const r = await engine.batchGrad(state.theta, idx, grad, shifts?.subarray(2 * b * cfg.batch, 2 * (b + 1) * cfg.batch));
      lossSum += r.loss;
      correct += r.correct;
      seen += idx.length;
      const inv = 1 / idx.length;
      for (let q = 0; q < grad.length; q++) grad[q]! *= inv;
      if (o.kind === "admm") {
        const a = state.admm!;
        convs.forEach(({ W, seg }, c) => {
          const Z = a.Z[c]!;
          const U = a.U[c]!;
          for (let q = 0; q < W.length; q++) grad[seg[0] + q] += a.rho * (W[q]! - Z[q]! + U[q]!);
        });
      }
      if (o.kind === "retrain") state.masks!.forEach((m, c) => applyMask(view(grad, convs[c]!.seg), m));
      state.adam.step(state.theta, grad, lr);
      for (const { W, kernels } of convs) symmetrize(K_FFT, W, kernels);
      if (o.kind === "retrain") applyMasks(net, state.theta, state.masks!);
      if (o.kind === "admm" && (b + 1) % updateEvery === 0) {
        lastResidual = admmProject(net, o.n!, state.theta, state.admm!).residual;
        state.admm!.rho *= cfg.rhoGrowth;
      }
      if (b % 10 === 0 || b === batches - 1) {
        const extra = o.kind === "admm" ? ` rho ${state.admm!.rho.toFixed(3)} |W-Z|/|W| ${lastResidual.toFixed(3)}` : "";
        pr.update(b + 1, `loss ${(lossSum / seen).toFixed(4)} acc ${(correct / seen).toFixed(4)}${extra}`);
      }
    }
    const line = `${o.kind} epoch ${e + 1}/${o.epochs}: lr ${lr.toExponential(2)} train loss ${(lossSum / seen).toFixed(4)} train acc ${(correct / seen).toFixed(4)}${
      o.kind === "admm" ? ` rho ${state.admm!.rho.toFixed(3)} |W-Z|/|W| ${lastResidual.toFixed(4)}` : ""
    } (${Math.round((Date.now() - tEpoch) / 1000)} s)`;
    pr.done();
    if (!o.quiet) process.stderr.write(`${line}\n`);
    state.log.push(line);
    state.epochDone = e + 1;
    if (o.checkpoint) saveState(o.checkpoint, o.fingerprint ?? "", state);
  }
  return state;
}

const arr = (a: Float64Array | Uint8Array): number[] => Array.from(a);

export function saveState(path: string, fingerprint: string, s: PhaseState): void {
  const json = {
    fingerprint,
    epochDone: s.epochDone,
    theta: arr(s.theta),
    adam: { m: arr(s.adam.m), v: arr(s.adam.v), t: s.adam.t },
    admm: s.admm && { Z: s.admm.Z.map(arr), U: s.admm.U.map(arr), rho: s.admm.rho, updates: s.admm.updates },
    masks: s.masks?.map(arr),
    log: s.log,
  };
  writeFileAtomic(path, JSON.stringify(json));
}

interface StateJson {
  fingerprint: string;
  epochDone: number;
  theta: number[];
  adam: { m: number[]; v: number[]; t: number };
  /** Z1, Z2, U1, U2 and masks {m1, m2}: checkpoints of the two-layer LeNet-only code */
  admm?: { Z?: number[][]; U?: number[][]; Z1?: number[]; Z2?: number[]; U1?: number[]; U2?: number[]; rho: number; updates: number };
  masks?: number[][] | { m1: number[]; m2: number[] };
  log: string[];
}

/**
 * True when two fingerprints (JSON objects) differ at most in `epochs` and the checkpoint's
 * finished epochs fit in the new count: a phase whose learning rate depends only on the epoch
 * index can then be extended (or finished) from the checkpoint with the same result as a run
 * of the new length from scratch.
 */
function extendable(saved: string, wanted: string, epochDone: number): boolean {
  try {
    const a = JSON.parse(saved) as Record<string, unknown>;
    const b = JSON.parse(wanted) as Record<string, unknown>;
    if (typeof b.epochs !== "number" || epochDone > b.epochs) return false;
    delete a.epochs;
    delete b.epochs;
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}

/**
 * Loads a checkpoint if it exists and has the same fingerprint and size; undefined otherwise.
 * With `extend`, a checkpoint of the same phase with another epoch count is also taken (see extendable).
 */
export function loadState(path: string, fingerprint: string, size: number, extend = false): PhaseState | undefined {
  if (!existsSync(path)) return undefined;
  let j: StateJson;
  try {
    j = JSON.parse(readFileSync(path, "utf8")) as StateJson;
  } catch {
    return undefined;
  }
  if (j.theta?.length !== size) return undefined;
  if (j.fingerprint !== fingerprint && !(extend && extendable(j.fingerprint, fingerprint, j.epochDone))) return undefined;
  const adam = new Adam(size);
  adam.m = Float64Array.from(j.adam.m);
  adam.v = Float64Array.from(j.adam.v);
  adam.t = j.adam.t;
  const f64 = (a: number[]): Float64Array => Float64Array.from(a);
  const a = j.admm;
  const masks = j.masks && (Array.isArray(j.masks) ? j.masks : [j.masks.m1, j.masks.m2]);
  return {
    theta: Float64Array.from(j.theta),
    adam,
    epochDone: j.epochDone,
    admm: a && {
      Z: (a.Z ?? [a.Z1!, a.Z2!]).map(f64),
      U: (a.U ?? [a.U1!, a.U2!]).map(f64),
      rho: a.rho,
      updates: a.updates,
    },
    masks: masks?.map((m) => Uint8Array.from(m)),
    log: j.log ?? [],
  };
}

export function freshState(theta: Float64Array): PhaseState {
  return { theta: theta.slice(), adam: new Adam(theta.length), epochDone: 0, log: [] };
}

/** ADMM phase start: Z = proj(W), U = 0, rho = rho0. */
export function startAdmm(net: SpectralNet, theta: Float64Array, n: number, rho0: number): PhaseState {
  const s = freshState(theta);
  const m = masksFromWeights(net, n, s.theta);
  const Z = m.map((mask, c) => applyMask(view(s.theta, net.convW(c)), mask, new Float64Array(2 * mask.length)));
  s.admm = { Z, U: Z.map((z) => new Float64Array(z.length)), rho: rho0, updates: 0 };
  return s;
}

/** Retrain phase start: hard prune to the support of Z. */
export function startRetrain(net: SpectralNet, admm: PhaseState, n: number): PhaseState {
  const s = freshState(admm.theta);
  s.masks = masksFromZ(net, n, admm.admm!);
  applyMasks(net, s.theta, s.masks);
  return s;
}
