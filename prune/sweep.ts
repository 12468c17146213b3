/**
 * Accuracy against density: for each density, ADMM + hard prune + retraining from the same
 * dense model (the dense checkpoint of prune/run.ts, trained if missing), then float and
 * fixed-point accuracy on the same test images. Density 1 is the dense model itself.
 * A density whose checkpoints prune/run.ts already wrote (same settings) is not retrained.
 *
 *   npx tsx prune/sweep.ts [--network lenet] [--densities 1,0.5,0.25,0.125] [--out weights/sweep/<network>] [run.ts options]
 *
 * Writes sweep.json and accuracy-vs-density.svg (atomically, after every density) into --out.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { isMain } from "../hdl/core/main";
import { keptPerKernel } from "../spectral/layout";
import { runMain, UsageError } from "../hdl/core/cli";
import { helpText, parseOptions, withUsage, type OptionSpec, type RawValues } from "./args";
import { convNames, runMasks } from "./export";
import { quantizeNet } from "./fixedeval";
import { evaluateFixedThreads } from "./fixed-parallel";
import { checkWritableDir, log, replaceDirAtomic } from "./io";
import { loadMnist } from "./mnist";
import { makeNet } from "./networks";
import { trainPhases } from "./run";
import { checkRunDensity, parseRunArgs, RUN_OPTIONS, trainingFlags, type RunOptions } from "./run-options";
import { accuracySvg, type SweepPoint } from "./svg";

const SWEEP_OPTIONS: readonly OptionSpec[] = [
  { name: "densities", kind: "string", help: "comma-separated densities", defaultText: "1,0.5,0.25,0.125" },
  { name: "fixed-test-limit", kind: "int", min: 1, help: "evaluate the golden model on the first N test images only (default: all)" },
  ...RUN_OPTIONS.map((s) => (s.name === "out" ? { ...s, help: "directory for sweep.json and the picture", defaultText: "weights/sweep/<network>" } : s)),
];

const USAGE = "usage: npx tsx prune/sweep.ts [options]\n\nAccuracy against density: every density is pruned from the same dense model; float and\nfixed-point (golden model) accuracy on the same test images.";

interface Point extends SweepPoint {
  prunedFloatBeforeRetraining: number;
  /** float accuracy on the images the fixed-point model was evaluated on */
  prunedFloatOnFixedImages: number;
  disagreements: number;
  sqnrDb: Record<string, number>;
}

/** The sweep's own options, then run.ts's. */
function parseSweepArgs(argv: string[], values: RawValues): { densities: number[]; fixedLimit: number | undefined; base: RunOptions } {
  const densityText = (values.densities as string | undefined) ?? "1,0.5,0.25,0.125";
  const densities = densityText.split(",").map((d) => {
    const x = Number(d);
    if (d.trim() === "" || !Number.isFinite(x)) throw new UsageError(`--densities ${densityText}: "${d}" is not a number`);
    checkRunDensity(x);
    return x;
  });
  const fixedText = values["fixed-test-limit"] as string | undefined;
  const fixedLimit = fixedText === undefined ? undefined : Number(fixedText);
  if (fixedLimit !== undefined && !(Number.isInteger(fixedLimit) && fixedLimit >= 1)) throw new UsageError(`--fixed-test-limit = ${fixedText} is not an integer >= 1`);
  const base = parseRunArgs(argv, { ...values, out: undefined, densities: undefined, "fixed-test-limit": undefined });
  return { densities, fixedLimit, base };
}

export async function main(argv: string[]): Promise<void> {
  const t0 = Date.now();
  const usage = helpText(USAGE, SWEEP_OPTIONS);
  const values = withUsage(usage, () => parseOptions(argv, SWEEP_OPTIONS));
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const { densities, fixedLimit, base } = withUsage(usage, () => parseSweepArgs(argv, values));
  const out = (values.out as string | undefined) ?? `weights/sweep/${base.network}`;
  checkWritableDir(out, "--out");
  const net = makeNet(base.network);
  const names = convNames(net);
  const train = loadMnist("train", base.trainLimit);
  const test = loadMnist("test", base.testLimit);
  const fixedTest = loadMnist("test", Math.min(fixedLimit ?? test.count, test.count));
  const points: Point[] = [];
  let denseFloat = NaN;
  const t = base.train;
  const command = [
    `npx tsx prune/sweep.ts --network ${base.network} --densities ${densities.join(",")}`,
    ...trainingFlags(base),
    ...(fixedLimit ? [`--fixed-test-limit ${fixedLimit}`] : []),
    `--out ${out}`,
  ].join(" ");
  const write = (): void => {
    const json = {
      network: base.network,
      title: net.def.title,
      command,
      seed: t.seed,
      split: { train: train.count, test: test.count, fixedPointTest: fixedTest.count },
      denseFloat,
      complete: points.length === densities.length,
      points,
      wallSeconds: Math.round((Date.now() - t0) / 1000),
    };
    const title = `${net.def.title}: MNIST test accuracy (${fixedTest.count} images) against density, seed ${t.seed}`;
    replaceDirAtomic(out, (dir) => {
      writeFileSync(join(dir, "sweep.json"), `${JSON.stringify(json, null, 1)}\n`);
      writeFileSync(join(dir, "accuracy-vs-density.svg"), accuracySvg(points, denseFloat, title));
    });
  };
  for (const d of densities) {
    const o = { ...base, density: d };
    const n = keptPerKernel(8, d);
    log(o.quiet, `--- density ${d} (n = ${n})`);
    const res = await trainPhases(o, train, test);
    denseFloat = res.accuracy.denseFloat;
    const theta = res.retrain.theta;
    const layers = quantizeNet(net, theta, runMasks(net, res), train);
    const fx = await evaluateFixedThreads(o.network, theta, layers, fixedTest, o.threads, `density ${d}: test fixed-point`, o.quiet);
    points.push({
      density: d,
      n,
      prunedFloat: res.accuracy.prunedFloat,
      prunedFixed: fx.accuracy,
      prunedFloatOnFixedImages: fx.floatAccuracy,
      prunedFloatBeforeRetraining: res.accuracy.prunedBeforeRetrain,
      disagreements: fx.disagreements,
      sqnrDb: Object.fromEntries(names.map((nm, c) => [nm, fx.sqnrDb[c]!])),
    });
    write(); // partial results survive an interrupted sweep
    log(o.quiet, `density ${d}: float ${res.accuracy.prunedFloat.toFixed(4)}, on the fixed-point images: float ${fx.floatAccuracy.toFixed(4)} fixed ${fx.accuracy.toFixed(4)}`);
  }
  log(base.quiet, `${points.map((p) => `density ${p.density} n=${p.n}: float ${p.prunedFloat.toFixed(4)} fixed ${p.prunedFixed.toFixed(4)}`).join("\n")}\nwritten ${out} in ${Math.round((Date.now() - t0) / 1000)} s`);
}

if (isMain(import.meta.url)) runMain("sweep", () => main(process.argv.slice(2)));
