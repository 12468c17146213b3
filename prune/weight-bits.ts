/**
 * Accuracy against the width of the spectral weight words: the committed float model of a
 * weights directory, its kept positions (from the manifest), re-quantised with re and im of
 * `bits` bits each (fraction bits chosen per layer for the largest kept value, as for 16), every
 * conv layer through the golden model on the same test images.
 *
 *   npx tsx prune/weight-bits.ts [--weights weights/vgg-mnist] [--bits 16,12,10,8] [--test-limit N] [--threads 2] [--json]
 *
 * Prints a table (or with --json one object on stdout: { network, images, points: [{ bits,
 * entryBits, accuracy, floatAccuracy, disagreements, sqnrDb }] }); progress on stderr.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isMain } from "../hdl/core/main";
import { CliError, runMain, UsageError } from "../hdl/core/cli";
import { halfPlaneSize } from "../spectral/layout";
import { fixedLayerOf, indexBits, loadWeights } from "../spectral/weights";
import { helpText, numberOption, parseOptions, withUsage, type OptionSpec } from "./args";
import { quantizeNet } from "./fixedeval";
import { evaluateFixedThreads } from "./fixed-parallel";
import { log } from "./io";
import { loadMnist } from "./mnist";
import { loadModel } from "./model-file";
import type { Masks } from "./train";
import { makeNet, networkNames } from "./networks";

const OPTIONS: readonly OptionSpec[] = [
  { name: "weights", kind: "string", help: "weights directory (manifest.json, model.json)", defaultText: "weights/vgg-mnist" },
  { name: "bits", kind: "string", help: "comma-separated weight word widths (re and im each), 4..16", defaultText: "16,12,10,8" },
  { name: "test-limit", kind: "int", min: 1, help: "use the first N test images only (default: all 10,000)" },
  { name: "threads", kind: "int", min: 1, help: "worker threads", defaultText: "2" },
  { name: "json", kind: "flag", help: "print one JSON object on stdout instead of the table" },
  { name: "quiet", kind: "flag", help: "no progress on stderr" },
  { name: "help", kind: "flag", help: "print this help and exit" },
];

const USAGE = "usage: npx tsx prune/weight-bits.ts [options]\n\nTest accuracy of a trained, pruned network with its spectral weights re-quantised to narrower\nwords, every conv layer through the golden model.";

export interface WeightBitsPoint {
  bits: number;
  /** bits of one stored entry: index + re + im */
  entryBits: number;
  accuracy: number;
  floatAccuracy: number;
  disagreements: number;
  sqnrDb: number[];
}

/** The network a weights directory was trained for (its report.json names it). */
function networkOf(dir: string): string {
  const file = join(dir, "report.json");
  let report: unknown;
  try {
    report = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CliError(`${file}: cannot be read as JSON (${(e as Error).message})`);
  }
  const network = (report as { network?: unknown }).network;
  if (typeof network !== "string" || !networkNames().includes(network)) throw new CliError(`${file}: network = ${JSON.stringify(network)}, expected one of ${networkNames().join(", ")}`);
  return network;
}

function parseBits(text: string): number[] {
  return text.split(",").map((t) => {
    const b = Number(t);
    if (t.trim() === "" || !Number.isInteger(b) || b < 4 || b > 16) throw new UsageError(`--bits ${text}: "${t}" is not an integer in 4..16`);
    return b;
  });
}

export async function main(argv: string[]): Promise<void> {
  const usage = helpText(USAGE, OPTIONS);
  const values = withUsage(usage, () => parseOptions(argv, OPTIONS));
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const spec = (n: string): OptionSpec => OPTIONS.find((s) => s.name === n)!;
  const bits = withUsage(usage, () => parseBits((values.bits as string | undefined) ?? "16,12,10,8"));
  const testLimit = withUsage(usage, () => numberOption(values, spec("test-limit")));
  const threads = withUsage(usage, () => numberOption(values, spec("threads"))) ?? 2;
  const quiet = values.quiet === true;
  const dir = (values.weights as string | undefined) ?? "weights/vgg-mnist";
  const manifest = loadWeights(dir);
  const network = networkOf(dir);
  const net = makeNet(network);
  const theta = loadModel(dir, network);
  const L = halfPlaneSize(manifest.K);
  const masks: Masks = manifest.layers.map((_, c) => {
    const layer = fixedLayerOf(manifest, c);
    const m = new Uint8Array(layer.cout * layer.cin * L);
    layer.kernels.forEach((entries, q) => entries.forEach((e) => (m[q * L + e.index] = 1)));
    return m;
  });
  const train = loadMnist("train");
  const test = loadMnist("test", testLimit);
  const points: WeightBitsPoint[] = [];
  for (const b of bits) {
    const layers = quantizeNet(net, theta, masks, train, b);
    const ev = await evaluateFixedThreads(network, theta, layers, test, threads, `${b}-bit weights: test fixed-point`, quiet);
    points.push({ bits: b, entryBits: indexBits(manifest.K) + 2 * b, accuracy: ev.accuracy, floatAccuracy: ev.floatAccuracy, disagreements: ev.disagreements, sqnrDb: ev.sqnrDb });
    log(quiet, `${b}-bit weights: fixed ${(100 * ev.accuracy).toFixed(2)}%, float ${(100 * ev.floatAccuracy).toFixed(2)}%`);
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ network, weights: dir, images: test.count, points }, null, 1)}\n`);
    return;
  }
  const rows = points.map((p) => `| ${p.bits} | ${p.entryBits} | ${(100 * p.accuracy).toFixed(2)}% | ${p.disagreements} | ${p.sqnrDb.map((s) => s.toFixed(1)).join(", ")} |`);
  process.stdout.write(
    [`${network} (${dir}), ${test.count} test images; pruned float ${(100 * points[0]!.floatAccuracy).toFixed(2)}%`, "", "| weight bits | entry bits | pruned fixed-point | predictions differing from float | SQNR per layer, dB |", "|---|---|---|---|---|", ...rows, ""].join("\n"),
  );
}

if (isMain(import.meta.url)) runMain("weight-bits", () => main(process.argv.slice(2)));
