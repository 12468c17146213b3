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
import { isMain } from "../hdl/core/main";
import { join } from "node:path";
import { checkDensity, halfPlaneSize, keptPerKernel } from "../spectral/layout";
import { helpText, numberOption, parseOptions, UsageError, type OptionSpec, type RawValues } from "./args";
import { ENGINE_VERSION, LocalEngine, WorkerEngine, type GradEngine } from "./engine";
import { checkWritableDir, log } from "./io";
import { loadMnist, type MnistSplit } from "./mnist";
import type { SpectralNet } from "./net";
import { makeNet, networkEntry, networkNames } from "./networks";
import { evaluate, freshState, loadState, runPhase, startAdmm, startRetrain, type PhaseState, type TrainConfig } from "./train";

/** FFT size of every spectral layer */
const K_FFT = 8;

export interface RunOptions {
  network: string;
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

/** Options of run.ts (sweep.ts takes them too). */
export const RUN_OPTIONS: readonly OptionSpec[] = [
  { name: "network", kind: "string", help: `network to train: ${networkNames().join(" or ")}`, defaultText: "lenet" },
  { name: "density", kind: "number", help: "kept fraction of the spectral entries of every kernel, in (0, 1]", defaultText: "0.25" },
  { name: "epochs", kind: "int", min: 1, help: "dense training epochs" },
  { name: "admm-epochs", kind: "int", min: 1, help: "ADMM epochs" },
  { name: "retrain-epochs", kind: "int", min: 1, help: "masked retraining epochs" },
  { name: "lr", kind: "number", min: 0, above: true, help: "Adam learning rate at the start of dense training" },
  { name: "admm-lr", kind: "number", min: 0, above: true, help: "learning rate at the start of ADMM" },
  { name: "retrain-lr", kind: "number", min: 0, above: true, help: "learning rate at the start of retraining" },
  { name: "lr-decay", kind: "number", min: 0, above: true, help: "learning-rate factor after every epoch of a phase" },
  { name: "rho0", kind: "number", min: 0, above: true, help: "initial ADMM penalty rho" },
  { name: "rho-growth", kind: "number", min: 1, help: "factor applied to rho after every Z/U update" },
  { name: "admm-updates", kind: "int", min: 1, help: "Z/U updates per ADMM epoch" },
  { name: "batch", kind: "int", min: 2, help: "batch size" },
  { name: "shift", kind: "int", min: 0, help: "augmentation: random translation of every training image by up to this many pixels (0 = none)" },
  { name: "seed", kind: "int", min: 0, help: "seed of the initialisation, shuffles and shifts", defaultText: "1" },
  { name: "out", kind: "string", help: "weights directory to write", defaultText: "weights/<network>" },
  { name: "threads", kind: "int", min: 1, help: "worker threads (results do not depend on it)", defaultText: "2" },
  { name: "checkpoints", kind: "string", help: "checkpoint directory", defaultText: ".cache/prune" },
  { name: "train-limit", kind: "int", min: 64, help: "use the first N training images only" },
  { name: "test-limit", kind: "int", min: 1, help: "use the first N test images only" },
  { name: "phase-steps", kind: "int", min: 1, help: "batches per ADMM / retraining epoch (default: the whole training set)" },
  { name: "quiet", kind: "flag", help: "no progress on stderr" },
  { name: "help", kind: "flag", help: "print this help and exit" },
];

export const RUN_USAGE = "usage: npx tsx prune/run.ts [options]\n\nTrains the network, prunes its spectral conv weights with ADMM (balanced per kernel),\nretrains with the mask fixed, quantises, evaluates through the golden model and writes the\nweights directory (manifest.json, ROM images, report.json, model.json, kept-positions.svg).";

const spec = (name: string): OptionSpec => RUN_OPTIONS.find((s) => s.name === name)!;

/** Rejects a density outside (0, 1] or one that keeps less than one entry per kernel. */
export function checkRunDensity(density: number): number {
  checkDensity(density);
  const L = halfPlaneSize(K_FFT);
  const n = keptPerKernel(K_FFT, density);
  if (n < 1) throw new UsageError(`--density ${density} keeps n = round(${density} * ${L}) = 0 entries per kernel: the minimum density is ${0.5 / L} (n = 1)`);
  return n;
}

export function parseRunArgs(argv: string[], values: RawValues = parseOptions(argv, RUN_OPTIONS)): RunOptions {
  const num = (name: string): number | undefined => numberOption(values, spec(name));
  const network = (values.network as string | undefined) ?? "lenet";
  if (!networkNames().includes(network)) throw new UsageError(`--network ${network}: unknown; one of ${networkNames().join(", ")}`);
  const entry = networkEntry(network);
  const density = values.density === undefined ? 0.25 : Number(values.density);
  if (values.density !== undefined && (String(values.density).trim() === "" || !Number.isFinite(density))) throw new UsageError(`--density = ${String(values.density)} is not a number`);
  checkRunDensity(density);
  const t = entry.schedule;
  return {
    network,
    density,
    out: (values.out as string | undefined) ?? entry.defaultOut,
    checkpoints: (values.checkpoints as string | undefined) ?? ".cache/prune",
    threads: num("threads") ?? 2,
    trainLimit: num("train-limit"),
    testLimit: num("test-limit"),
    phaseSteps: num("phase-steps"),
    quiet: values.quiet === true,
    train: {
      ...t,
      seed: num("seed") ?? t.seed,
      batch: num("batch") ?? t.batch,
      denseEpochs: num("epochs") ?? t.denseEpochs,
      admmEpochs: num("admm-epochs") ?? t.admmEpochs,
      retrainEpochs: num("retrain-epochs") ?? t.retrainEpochs,
      lrDense: num("lr") ?? t.lrDense,
      lrAdmm: num("admm-lr") ?? t.lrAdmm,
      lrRetrain: num("retrain-lr") ?? t.lrRetrain,
      lrDecay: num("lr-decay") ?? t.lrDecay,
      rho0: num("rho0") ?? t.rho0,
      rhoGrowth: num("rho-growth") ?? t.rhoGrowth,
      admmUpdatesPerEpoch: num("admm-updates") ?? t.admmUpdatesPerEpoch,
      shift: num("shift") ?? t.shift,
    },
  };
}

/** The exact command that reproduces a run: every option that shapes the result, spelled out. */
export function commandLine(o: RunOptions): string {
  const t = o.train;
  const parts = [
    `npx tsx prune/run.ts --network ${o.network} --density ${o.density}`,
    `--epochs ${t.denseEpochs} --admm-epochs ${t.admmEpochs} --retrain-epochs ${t.retrainEpochs}`,
    `--lr ${t.lrDense} --admm-lr ${t.lrAdmm} --retrain-lr ${t.lrRetrain} --lr-decay ${t.lrDecay}`,
    `--rho0 ${t.rho0} --rho-growth ${t.rhoGrowth} --admm-updates ${t.admmUpdatesPerEpoch}`,
    `--batch ${t.batch} --shift ${t.shift} --seed ${t.seed}`,
  ];
  if (o.trainLimit) parts.push(`--train-limit ${o.trainLimit}`);
  if (o.testLimit) parts.push(`--test-limit ${o.testLimit}`);
  if (o.phaseSteps) parts.push(`--phase-steps ${o.phaseSteps}`);
  parts.push(`--out ${o.out}`);
  return parts.join(" ");
}

export interface PhaseResults {
  dense: PhaseState;
  admm: PhaseState;
  retrain: PhaseState;
  accuracy: { denseFloat: number; prunedBeforeRetrain: number; prunedFloat: number };
}

function makeEngine(o: RunOptions, net: SpectralNet, data: MnistSplit): GradEngine {
  return o.threads > 1 ? new WorkerEngine(o.network, net.size, o.trainLimit, o.train.batch) : new LocalEngine(net, data);
}

/** Runs / resumes the three training phases. `denseOnly` stops after dense training. */
export async function trainPhases(o: RunOptions, train: MnistSplit, test: MnistSplit): Promise<PhaseResults> {
  const cfg = o.train;
  const n = keptPerKernel(K_FFT, o.density);
  mkdirSync(o.checkpoints, { recursive: true });
  const common = { engine: ENGINE_VERSION, network: o.network, seed: cfg.seed, batch: cfg.batch, trainLimit: o.trainLimit ?? null, steps: cfg.stepsPerEpoch ?? null, shift: cfg.shift };
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
  const pDense = join(o.checkpoints, `${o.network}-dense-${tag}.json`);
  const ptag = o.phaseSteps ? `-p${o.phaseSteps}` : "";
  const pAdmm = join(o.checkpoints, `${o.network}-admm-${tag}-d${o.density}${ptag}.json`);
  const pRetrain = join(o.checkpoints, `${o.network}-retrain-${tag}-d${o.density}${ptag}.json`);
  const net = makeNet(o.network);
  const engine = makeEngine(o, net, train);
  try {
    // Learning rates (and rho) depend only on the epoch index within a phase, so a phase run for
    // more or fewer epochs continues its checkpoint (loadState's `extend`) to the same result.
    let dense = loadState(pDense, fpDense, net.size, true) ?? freshState(net.init(cfg.seed));
    if (dense.epochDone > 0) log(o.quiet, `resuming dense training after epoch ${dense.epochDone} (${pDense})`);
    dense = await runPhase(dense, { kind: "dense", net, cfg, engine, data: train, epochs: cfg.denseEpochs, lr: cfg.lrDense, epochOffset: 0, checkpoint: pDense, fingerprint: fpDense, quiet: o.quiet });
    const denseFloat = evaluate(net, dense.theta, test, "test dense float", o.quiet);
    if (n === halfPlaneSize(K_FFT)) {
      // density 1: nothing to prune, the "pruned" model is the dense one
      return { dense, admm: dense, retrain: dense, accuracy: { denseFloat, prunedBeforeRetrain: denseFloat, prunedFloat: denseFloat } };
    }

    let admm = loadState(pAdmm, fpAdmm, net.size, true) ?? startAdmm(net, dense.theta, n, cfg.rho0);
    if (admm.epochDone > 0) log(o.quiet, `resuming ADMM after epoch ${admm.epochDone} (${pAdmm})`);
    admm = await runPhase(admm, { kind: "admm", net, cfg: pcfg, engine, data: train, epochs: cfg.admmEpochs, lr: cfg.lrAdmm, epochOffset: cfg.denseEpochs, n, checkpoint: pAdmm, fingerprint: fpAdmm, quiet: o.quiet });

    let retrain = loadState(pRetrain, fpRetrain, net.size, true);
    const hard = startRetrain(net, admm, n);
    const prunedBeforeRetrain = evaluate(net, hard.theta, test, "test hard-pruned float (before retraining)", o.quiet);
    if (retrain && retrain.epochDone > 0) log(o.quiet, `resuming retraining after epoch ${retrain.epochDone} (${pRetrain})`);
    retrain = await runPhase(retrain ?? hard, {
      kind: "retrain",
      net,
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
  const values = parseOptions(argv, RUN_OPTIONS);
  if (values.help) {
    process.stdout.write(helpText(RUN_USAGE, RUN_OPTIONS));
    return;
  }
  const o = parseRunArgs(argv, values);
  // fail now, not after an hour of training
  checkWritableDir(o.out, "--out");
  checkWritableDir(join(o.checkpoints, "x"), "--checkpoints");
  const n = keptPerKernel(K_FFT, o.density);
  log(o.quiet, `${o.network}, density ${o.density}: n = ${n} of ${halfPlaneSize(K_FFT)} layout entries per kernel, seed ${o.train.seed}, ${o.threads} thread(s)`);
  log(o.quiet, commandLine(o));
  const train = loadMnist("train", o.trainLimit);
  const test = loadMnist("test", o.testLimit);
  log(o.quiet, `MNIST: ${train.count} training / ${test.count} test images`);
  const res = await trainPhases(o, train, test);
  const { exportRun } = await import("./export");
  await exportRun(o, res, train, test, t0);
  log(o.quiet, `done in ${((Date.now() - t0) / 1000).toFixed(0)} s; outputs in ${o.out}`);
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`run: ${(e as Error).message}\n${e instanceof UsageError ? "run with --help for the options\n" : ""}`);
    process.exitCode = 1;
  });
}
