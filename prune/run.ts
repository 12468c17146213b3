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
import { runMain } from "../hdl/core/cli";
import { join } from "node:path";
import { halfPlaneSize, keptPerKernel } from "../spectral/layout";
import { helpText, parseOptions, withUsage } from "./args";
import { ENGINE_VERSION, LocalEngine, WorkerEngine, type GradEngine } from "./engine";
import { exportRun } from "./export";
import { checkWritableDir, log } from "./io";
import { loadMnist, type MnistSplit } from "./mnist";
import type { SpectralNet } from "./net";
import { makeNet } from "./networks";
import { commandLine, K_FFT, parseRunArgs, RUN_OPTIONS, RUN_USAGE, type PhaseResults, type RunOptions } from "./run-options";
import { evaluate, freshState, loadState, runPhase, startAdmm, startRetrain, type TrainConfig } from "./train";

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
  // without distillation the fingerprint is the one checkpoints had before the option existed
  const fpRetrain = JSON.stringify({ fpAdmm, epochs: cfg.retrainEpochs, lr: cfg.lrRetrain, ...(cfg.distill > 0 ? { distill: cfg.distill, T: cfg.distillTemperature } : {}) });
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
      teacher: dense.theta,
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
  const usage = helpText(RUN_USAGE, RUN_OPTIONS);
  const values = withUsage(usage, () => parseOptions(argv, RUN_OPTIONS));
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const o = withUsage(usage, () => parseRunArgs(argv, values));
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
  await exportRun(o, res, train, test, t0);
  log(o.quiet, `done in ${((Date.now() - t0) / 1000).toFixed(0)} s; outputs in ${o.out}`);
}

if (isMain(import.meta.url)) runMain("run", () => main(process.argv.slice(2)));
