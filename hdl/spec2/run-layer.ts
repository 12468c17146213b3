/**
 * Runs one convolution layer on the simulated SPEC2 RTL, for one image or a batch.
 *
 *   npx tsx hdl/spec2/run-layer.ts --layer L.json --input X.json --out Y.json [--sim iverilog|verilator|js] [--verilog FILE.v]
 *
 * L.json: see hdl/spec2/layer-file.ts. X.json: { "input": [Cin][H][W] } (one image) or
 * { "input": [N][Cin][H][W] } (a batch, streamed back to back), floats within the layer's input
 * range. Y.json, written atomically and only on success:
 *   { "output": [Cout][Ho][Wo] or [N][Cout][Ho][Wo] floats, "cycles" (first input word of image
 *     1 to last output word of image N), "usefulMacs", "peUtilisation" = usefulMacs / (P x cycles),
 *     "images" (batch only), "simulator", "parallelism", "formats" }
 */
import { readFileSync } from "node:fs";
import { isMain } from "../core";
import { CliError, checkOutputPath, choiceOption, parseCommandLine, requiredOption, runMain, stringOption, writeFileAtomic } from "../core/cli";
import { LayerFileError, readLayerFile, type AcceleratorLayer } from "./layer-file";
import { makePlan } from "../../spectral/conv";
import { dequantize, quantizeActivations } from "../../spectral/fixed";
import { runLayerBatch } from "./layer-driver";
import { SimCompileError, SimError, type Backend } from "../../sim";

const USAGE = `usage: npx tsx hdl/spec2/run-layer.ts --layer L.json --input X.json --out Y.json [--sim iverilog|verilator|js] [--verilog FILE.v]

Runs one convolution layer on the simulated SPEC2 RTL and writes its output, cycles and PE use.

  --layer L.json     the layer (see hdl/spec2/layer-file.ts)
  --input X.json     { "input": [Cin][H][W] } or a batch { "input": [N][Cin][H][W] }
  --out Y.json       the result, written only when the run succeeds
  --sim NAME         iverilog (default), verilator or js (in Node, no build)
  --verilog FILE.v   simulate this Verilog of the layer's modules instead of elaborating them
  -h, --help         this text`;

/** X.json's input: one image (batch false) or N images, each a flat Cin x H x W array, checked for shape, finiteness and range. */
export function readInput(file: string, acc: AcceleratorLayer): { images: Float64Array[]; batch: boolean } {
  const { cin, h, w } = acc.layer;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new LayerFileError(file, `cannot be read as JSON (${(e as Error).message})`);
  }
  const input = (raw as { input?: unknown } | null)?.input;
  if (input === undefined) throw new LayerFileError(file, 'missing field "input"');
  // [N][Cin][H][W] when the elements of input[0][0] are arrays
  const nested = (v: unknown, depth: number): boolean => (depth === 0 ? Array.isArray(v) : Array.isArray(v) && v.length > 0 && nested(v[0], depth - 1));
  const batch = nested(input, 3);
  const shape = batch ? [(input as unknown[]).length, cin, h, w] : [cin, h, w];
  if (batch && shape[0] === 0) throw new LayerFileError(file, "input holds no images");
  const flat = new Float64Array(shape.reduce((a, b) => a * b, 1));
  let at = 0;
  const walk = (v: unknown, depth: number, where: string): void => {
    if (depth === shape.length) {
      if (typeof v !== "number" || !Number.isFinite(v)) throw new LayerFileError(file, `${where} = ${JSON.stringify(v)} is not a finite number`);
      if (Math.abs(v) > acc.inputRange) throw new LayerFileError(file, `${where} = ${v} is outside the layer's input range [-${acc.inputRange}, ${acc.inputRange}]`);
      flat[at++] = v;
      return;
    }
    if (!Array.isArray(v)) throw new LayerFileError(file, `${where} must be an array`);
    if (v.length !== shape[depth]) throw new LayerFileError(file, `${where} has ${v.length} entries, expected ${shape[depth]}`);
    v.forEach((x, i) => walk(x, depth + 1, `${where}[${i}]`));
  };
  walk(input, 0, "input");
  const n = batch ? shape[0]! : 1;
  const size = cin * h * w;
  return { images: Array.from({ length: n }, (_, i) => flat.slice(i * size, (i + 1) * size)), batch };
}

async function main(): Promise<void> {
  const cl = parseCommandLine({
    usage: USAGE,
    options: { layer: { type: "string" }, input: { type: "string" }, out: { type: "string" }, sim: { type: "string" }, verilog: { type: "string" } },
  });
  if (!cl) return;
  const layerFile = requiredOption(cl, "layer");
  const inputFile = requiredOption(cl, "input");
  const out = checkOutputPath(requiredOption(cl, "out"), "--out");
  const sim: Backend = choiceOption(cl, "sim", ["iverilog", "verilator", "js"] as const, "iverilog");
  const verilogFile = stringOption(cl, "verilog");
  let verilog: string | undefined;
  if (verilogFile !== undefined) {
    try {
      verilog = readFileSync(verilogFile, "utf8");
    } catch (e) {
      throw new CliError(`--verilog ${verilogFile}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 2);
    }
  }
  const acc = readLayerFile(layerFile);
  const { images, batch } = readInput(inputFile, acc);
  const { layer, parallelism } = acc;
  const params = { layer, ...parallelism };
  process.stderr.write(`run-layer: ${images.length} image${images.length > 1 ? "s" : ""} on ${sim}\n`);
  const words = images.map((x) => quantizeActivations(x, layer.formats.inFrac, layer.formats.actBits));
  const run = await runLayerBatch(params, words, {
    backend: sim,
    ...(verilog !== undefined ? { verilog } : {}),
    onImage: (done, total) => process.stderr.write(`run-layer: image ${done} of ${total}\n`),
  });
  const { cout, ho, wo } = makePlan(layer);
  const shaped = run.outputs.map((o) => {
    const y = dequantize(o, layer.formats.outFrac);
    return Array.from({ length: cout }, (_, c) => Array.from({ length: ho }, (_, r) => Array.from(y.subarray((c * ho + r) * wo, (c * ho + r + 1) * wo))));
  });
  const result = {
    output: batch ? shaped : shaped[0],
    ...(batch ? { images: images.length } : {}),
    cycles: run.cycles,
    usefulMacs: run.macs,
    peUtilisation: run.peUtilisation,
    simulator: sim,
    parallelism,
    formats: layer.formats,
  };
  writeFileAtomic(out, JSON.stringify(result) + "\n");
  process.stderr.write(`run-layer: ${run.cycles} cycles, PE utilisation ${(100 * run.peUtilisation).toFixed(1)}%, wrote ${cl.values.out}\n`);
}

/** Bad input files are the user's (exit 2); a simulator that fails or is missing ends the run (exit 1). */
function exitCode(e: unknown): number | undefined {
  if (e instanceof LayerFileError) return 2;
  if (e instanceof SimCompileError || e instanceof SimError) return 1;
  return undefined;
}

if (isMain(import.meta.url)) runMain("run-layer", main, exitCode);
