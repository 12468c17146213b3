/**
 * Accuracy against density: for each density, ADMM + hard prune + retraining from the same
 * dense model (the dense checkpoint of prune/run.ts, trained if missing), then float and
 * fixed-point test accuracy. Density 1 is the dense model itself (nothing to prune).
 *
 *   npx tsx prune/sweep.ts [--densities 1,0.5,0.25,0.125] [--out weights/sweep] [run.ts options]
 *
 * Writes sweep.json and accuracy-vs-density.svg (atomically) into --out.
 */
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { checkDensity, keptPerKernel } from "../spectral/layout";
import { evaluateFixed, quantizeLeNet } from "./fixedeval";
import { log, replaceDirAtomic } from "./io";
import { K_FFT } from "./lenet";
import { loadMnist } from "./mnist";
import { parseRunArgs, trainPhases } from "./run";
import { accuracySvg, type SweepPoint } from "./svg";

async function main(argv: string[]): Promise<void> {
  const t0 = Date.now();
  let densities = [1, 0.5, 0.25, 0.125];
  let out = "weights/sweep";
  let fixedLimit: number | undefined;
  const rest: string[] = [];
  for (let a = 0; a < argv.length; a++) {
    if (argv[a] === "--densities") densities = argv[++a]!.split(",").map(Number);
    else if (argv[a] === "--out") out = argv[++a]!;
    else if (argv[a] === "--fixed-test-limit") fixedLimit = Number(argv[++a]);
    else rest.push(argv[a]!);
  }
  densities.forEach(checkDensity);
  const base = parseRunArgs(rest);
  const train = loadMnist("train", base.trainLimit);
  const test = loadMnist("test", base.testLimit);
  const fixedTest = loadMnist("test", Math.min(fixedLimit ?? test.count, test.count));
  const points: (SweepPoint & {
    prunedFloatBeforeRetraining: number;
    /** float accuracy on the images the fixed-point model was evaluated on */
    prunedFloatOnFixedImages: number;
    disagreements: number;
    sqnrDb: { conv1: number; conv2: number };
  })[] = [];
  let denseFloat = NaN;
  const write = (): void => {
    const json = {
      command: `npx tsx prune/sweep.ts --densities ${densities.join(",")} --out ${out}${fixedLimit ? ` --fixed-test-limit ${fixedLimit}` : ""} ${rest.join(" ")}`.trim(),
      seed: base.train.seed,
      split: { train: train.count, test: test.count, fixedPointTest: fixedTest.count },
      denseFloat,
      complete: points.length === densities.length,
      points,
      wallSeconds: Math.round((Date.now() - t0) / 1000),
    };
    replaceDirAtomic(out, (dir) => {
      writeFileSync(join(dir, "sweep.json"), `${JSON.stringify(json, null, 1)}\n`);
      writeFileSync(join(dir, "accuracy-vs-density.svg"), accuracySvg(points, denseFloat, `LeNet-5 spectral (K = 8), MNIST test accuracy vs density, seed ${base.train.seed}`));
    });
  };
  for (const d of densities) {
    const o = { ...base, density: d };
    const n = keptPerKernel(K_FFT, d);
    log(o.quiet, `--- density ${d} (n = ${n})`);
    const res = await trainPhases(o, train, test);
    denseFloat = res.accuracy.denseFloat;
    const dense = n === 40;
    const theta = dense ? res.dense.theta : res.retrain.theta;
    const masks = dense ? undefined : res.retrain.masks;
    const layers = quantizeLeNet(theta, masks, train);
    const fx = evaluateFixed(theta, layers, fixedTest, `density ${d}: test fixed-point`, o.quiet);
    points.push({
      density: d,
      n,
      prunedFloat: dense ? res.accuracy.denseFloat : res.accuracy.prunedFloat,
      prunedFixed: fx.accuracy,
      prunedFloatOnFixedImages: fx.floatAccuracy,
      prunedFloatBeforeRetraining: dense ? res.accuracy.denseFloat : res.accuracy.prunedBeforeRetrain,
      disagreements: fx.disagreements,
      sqnrDb: { conv1: fx.sqnrConv1, conv2: fx.sqnrConv2 },
    });
    write(); // partial results survive an interrupted sweep
    log(o.quiet, `density ${d}: float ${points[points.length - 1]!.prunedFloat.toFixed(4)}, on the fixed-point images: float ${fx.floatAccuracy.toFixed(4)} fixed ${fx.accuracy.toFixed(4)}`);
  }
  process.stderr.write(`${points.map((p) => `density ${p.density} n=${p.n}: float ${p.prunedFloat.toFixed(4)} fixed ${p.prunedFixed.toFixed(4)}`).join("\n")}\nwritten ${out} in ${Math.round((Date.now() - t0) / 1000)} s\n`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exit(1);
});
