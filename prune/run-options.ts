/**
 * The options of prune/run.ts (sweep.ts takes them too): the table, its parsing and checks, and
 * the exact command line that reproduces a run (recorded in the weights manifest).
 */
import { checkDensity, halfPlaneSize, keptPerKernel } from "../spectral/layout";
import { numberOption, parseOptions, UsageError, type OptionSpec, type RawValues } from "./args";
import { networkEntry, networkNames } from "./networks";
import type { PhaseState, TrainConfig } from "./train";

/** FFT size of every spectral layer */
export const K_FFT = 8;

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
  { name: "distill", kind: "number", min: 0, help: "weight in [0, 1) of distillation from the dense model during retraining (0 = none)" },
  { name: "distill-temperature", kind: "number", min: 0, above: true, help: "softmax temperature of the distillation" },
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
  const distill = num("distill");
  if (distill !== undefined && distill >= 1) throw new UsageError(`--distill ${distill}: the distillation weight must be below 1 (the labels keep weight 1 - distill)`);
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
      distill: num("distill") ?? t.distill,
      distillTemperature: num("distill-temperature") ?? t.distillTemperature,
    },
  };
}

/** The options that shape a run's result after its density, spelled out (shared by run.ts and sweep.ts). */
export function trainingFlags(o: RunOptions): string[] {
  const t = o.train;
  const parts = [
    `--epochs ${t.denseEpochs} --admm-epochs ${t.admmEpochs} --retrain-epochs ${t.retrainEpochs}`,
    `--lr ${t.lrDense} --admm-lr ${t.lrAdmm} --retrain-lr ${t.lrRetrain} --lr-decay ${t.lrDecay}`,
    `--rho0 ${t.rho0} --rho-growth ${t.rhoGrowth} --admm-updates ${t.admmUpdatesPerEpoch}`,
    `--batch ${t.batch} --shift ${t.shift} --seed ${t.seed}`,
  ];
  if (t.distill > 0) parts.push(`--distill ${t.distill} --distill-temperature ${t.distillTemperature}`);
  if (o.trainLimit) parts.push(`--train-limit ${o.trainLimit}`);
  if (o.testLimit) parts.push(`--test-limit ${o.testLimit}`);
  if (o.phaseSteps) parts.push(`--phase-steps ${o.phaseSteps}`);
  return parts;
}

/** The exact command that reproduces a run: every option that shapes the result, spelled out. */
export function commandLine(o: RunOptions): string {
  return [`npx tsx prune/run.ts --network ${o.network} --density ${o.density}`, ...trainingFlags(o), `--out ${o.out}`].join(" ");
}

export interface PhaseResults {
  dense: PhaseState;
  admm: PhaseState;
  retrain: PhaseState;
  accuracy: { denseFloat: number; prunedBeforeRetrain: number; prunedFloat: number };
}
