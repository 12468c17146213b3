/**
 * Full pruning pipeline: dense training -> ADMM -> hard prune -> masked retraining ->
 * quantise -> export (weights directory with ROMs, manifest.json, report.json, pictures).
 *
 *   npx tsx prune/run.ts [--density 0.25] [--epochs 3] [--admm-epochs 2] [--retrain-epochs 2]
 *                        [--out weights/lenet] [--seed 1] [--threads 2] [--checkpoints .cache/prune]
 *                        [--train-limit N] [--test-limit N] [--quiet]
 *
 * Every phase checkpoints after each epoch into --checkpoints (keyed by a fingerprint of the
 * settings that influence it), so an interrupted run resumes where it stopped; outputs are
 * written atomically (see io.ts).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { checkDensity, halfPlaneSize, keptPerKernel } from "../spectral/layout";
import { LocalEngine, WorkerEngine, type GradEngine } from "./engine";
import { log } from "./io";
import { initParams, K_FFT, LeNet } from "./lenet";
import { loadMnist, type MnistSplit } from "./mnist";
import { DEFAULT_TRAIN, evaluate, freshState, loadState, runPhase, startAdmm, startRetrain, type PhaseState, type TrainConfig } from "./train";

export interface RunOptions {
  density: number;
  out: string;
  checkpoints: string;
  threads: number;
  trainLimit?: number;
  testLimit?: number;
  /** batches per ADMM / retraining epoch (default: the whole training set) */
  phaseSteps?: number;
  quiet: boolean;
  train: TrainConfig;
}

export function parseRunArgs(argv: string[]): RunOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      density: { type: "string", default: "0.25" },
      epochs: { type: "string" },
      "admm-epochs": { type: "string" },
      "retrain-epochs": { type: "string" },
      out: { type: "string", default: "weights/lenet" },
      seed: { type: "string" },
      threads: { type: "string", default: "2" },
      checkpoints: { type: "string", default: ".cache/prune" },
      "train-limit": { type: "string" },
      "test-limit": { type: "string" },
      "phase-steps": { type: "string" },
      quiet: { type: "boolean", default: false },
    },
    strict: true,
  });
  const num = (name: string, v: string | undefined, int: boolean, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isFinite(x) || (int && !Number.isInteger(x)) || x < min) throw new Error(`--${name} = ${v} is not ${int ? "an integer" : "a number"} >= ${min}`);
    return x;
  };
  const density = num("density", values.density, false, -Infinity)!;
  checkDensity(density);
  const t = DEFAULT_TRAIN;
  return {
    density,
    out: values.out!,
    checkpoints: values.checkpoints!,
    threads: num("threads", values.threads, true, 1)!,
    trainLimit: num("train-limit", values["train-limit"], true, 64),
    testLimit: num("test-limit", values["test-limit"], true, 1),
    phaseSteps: num("phase-steps", values["phase-steps"], true, 1),
    quiet: values.quiet!,
    train: {
      ...t,
      seed: num("seed", values.seed, true, 0) ?? t.seed,
      denseEpochs: num("epochs", values.epochs, true, 1) ?? t.denseEpochs,
      admmEpochs: num("admm-epochs", values["admm-epochs"], true, 1) ?? t.admmEpochs,
      retrainEpochs: num("retrain-epochs", values["retrain-epochs"], true, 1) ?? t.retrainEpochs,
    },
  };
}

export interface PhaseResults {
  dense: PhaseState;
  admm: PhaseState;
  retrain: PhaseState;
  accuracy: { denseFloat: number; prunedBeforeRetrain: number; prunedFloat: number };
}

function makeEngine(o: RunOptions, data: MnistSplit): GradEngine {
  return o.threads > 1 ? new WorkerEngine(o.trainLimit, o.train.batch) : new LocalEngine(data);
}

/** Runs / resumes the three training phases. `denseOnly` stops after dense training. */
export async function trainPhases(o: RunOptions, train: MnistSplit, test: MnistSplit): Promise<PhaseResults> {
  const cfg = o.train;
  const n = keptPerKernel(K_FFT, o.density);
  mkdirSync(o.checkpoints, { recursive: true });
  const common = { seed: cfg.seed, batch: cfg.batch, trainLimit: o.trainLimit ?? null, steps: cfg.stepsPerEpoch ?? null };
  const fpDense = JSON.stringify({ ...common, epochs: cfg.denseEpochs, lr: cfg.lrDense, decay: cfg.lrDecay });
  const fpAdmm = JSON.stringify({
    fpDense,
    density: o.density,
    epochs: cfg.admmEpochs,
    lr: cfg.lrAdmm,
    rho0: cfg.rho0,
    g: cfg.rhoGrowth,
    u: cfg.admmUpdatesPerEpoch,
    ...(o.phaseSteps ? { phaseSteps: o.phaseSteps } : {}),
  });
  const pcfg: TrainConfig = o.phaseSteps ? { ...cfg, stepsPerEpoch: o.phaseSteps } : cfg;
  const fpRetrain = JSON.stringify({ fpAdmm, epochs: cfg.retrainEpochs, lr: cfg.lrRetrain });
  const tag = `s${cfg.seed}${o.trainLimit ? `-n${o.trainLimit}` : ""}`;
  const pDense = join(o.checkpoints, `dense-${tag}.json`);
  const ptag = o.phaseSteps ? `-p${o.phaseSteps}` : "";
  const pAdmm = join(o.checkpoints, `admm-${tag}-d${o.density}${ptag}.json`);
  const pRetrain = join(o.checkpoints, `retrain-${tag}-d${o.density}${ptag}.json`);
  const engine = makeEngine(o, train);
  const net = new LeNet();
  try {
    let dense = loadState(pDense, fpDense) ?? freshState(initParams(cfg.seed));
    if (dense.epochDone > 0) log(o.quiet, `resuming dense training after epoch ${dense.epochDone} (${pDense})`);
    dense = await runPhase(dense, { kind: "dense", cfg, engine, data: train, epochs: cfg.denseEpochs, lr: cfg.lrDense, epochOffset: 0, checkpoint: pDense, fingerprint: fpDense, quiet: o.quiet });
    const denseFloat = evaluate(net, dense.theta, test, "test dense float", o.quiet);
    if (n === halfPlaneSize(K_FFT)) {
      // density 1: nothing to prune, the "pruned" model is the dense one
      return { dense, admm: dense, retrain: dense, accuracy: { denseFloat, prunedBeforeRetrain: denseFloat, prunedFloat: denseFloat } };
    }

    let admm = loadState(pAdmm, fpAdmm) ?? startAdmm(dense.theta, n, cfg.rho0);
    if (admm.epochDone > 0) log(o.quiet, `resuming ADMM after epoch ${admm.epochDone} (${pAdmm})`);
    admm = await runPhase(admm, { kind: "admm", cfg: pcfg, engine, data: train, epochs: cfg.admmEpochs, lr: cfg.lrAdmm, epochOffset: cfg.denseEpochs, n, checkpoint: pAdmm, fingerprint: fpAdmm, quiet: o.quiet });

    let retrain = loadState(pRetrain, fpRetrain);
    const hard = startRetrain(admm, n);
    const prunedBeforeRetrain = evaluate(net, hard.theta, test, "test hard-pruned float (before retraining)", o.quiet);
    if (retrain && retrain.epochDone > 0) log(o.quiet, `resuming retraining after epoch ${retrain.epochDone} (${pRetrain})`);
    retrain = await runPhase(retrain ?? hard, {
      kind: "retrain",
      cfg: pcfg,
      engine,
      data: train,
      epochs: cfg.retrainEpochs,
      lr: cfg.lrRetrain,
      epochOffset: cfg.denseEpochs + cfg.admmEpochs,
      n,
      checkpoint: pRetrain,
      fingerprint: fpRetrain,
      quiet: o.quiet,
    });
    const prunedFloat = evaluate(net, retrain.theta, test, "test pruned float", o.quiet);
    return { dense, admm, retrain, accuracy: { denseFloat, prunedBeforeRetrain, prunedFloat } };
  } finally {
    await engine.close();
  }
}

export async function main(argv: string[]): Promise<void> {
  const t0 = Date.now();
  const o = parseRunArgs(argv);
  const n = keptPerKernel(K_FFT, o.density);
  log(o.quiet, `density ${o.density}: n = ${n} of ${halfPlaneSize(K_FFT)} layout entries per kernel, seed ${o.train.seed}, ${o.threads} thread(s)`);
  const train = loadMnist("train", o.trainLimit);
  const test = loadMnist("test", o.testLimit);
  log(o.quiet, `MNIST: ${train.count} training / ${test.count} test images`);
  const res = await trainPhases(o, train, test);
  const { exportRun } = await import("./export");
  exportRun(o, res, train, test, t0);
  log(o.quiet, `done in ${((Date.now() - t0) / 1000).toFixed(0)} s; outputs in ${o.out}`);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("prune/run.ts")) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
