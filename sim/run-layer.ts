/**
 * Runs one convolution layer on the simulated SPEC2 RTL.
 *
 *   npx tsx sim/run-layer.ts --layer L.json --input X.json --out Y.json [--sim iverilog|verilator] [--verilog FILE.v]
 *
 * L.json: see hdl/spec2/layer-file.ts. X.json: { "input": [in][H][W] floats } within the layer's
 * input range. Y.json: { "output": [out][Ho][Wo] floats, "cycles", "simulator", ... }, written
 * atomically and only on success.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { elaborate, isMain } from "../hdl/core";
import { LayerFileError, readLayerFile, type AcceleratorLayer } from "../hdl/spec2/layer-file";
import { Spec2Layer } from "../hdl/spec2/layer";
import { makePlan } from "../spectral/conv";
import { dequantize, quantizeActivations } from "../spectral/fixed";
import { writeFileAtomic } from "../prune/io";
import { runLayerMaps } from "./layer-driver";
import type { Backend } from "./index";

const USAGE = "usage: npx tsx sim/run-layer.ts --layer L.json --input X.json --out Y.json [--sim iverilog|verilator] [--verilog FILE.v]";

class UsageError extends Error {}

/** Reads X.json into a flat Cin x H x W array, checking shape, finiteness and range. */
export function readInput(file: string, acc: AcceleratorLayer): Float64Array {
  const { cin, h, w } = acc.layer;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new LayerFileError(file, `cannot be read as JSON (${(e as Error).message})`);
  }
  const input = (raw as { input?: unknown } | null)?.input;
  if (input === undefined) throw new LayerFileError(file, 'missing field "input"');
  const out = new Float64Array(cin * h * w);
  const shape = [cin, h, w];
  let at = 0;
  const walk = (v: unknown, depth: number, where: string): void => {
    if (depth === 3) {
      if (typeof v !== "number" || !Number.isFinite(v)) throw new LayerFileError(file, `${where} = ${JSON.stringify(v)} is not a finite number`);
      if (Math.abs(v) > acc.inputRange) throw new LayerFileError(file, `${where} = ${v} is outside the layer's input range [-${acc.inputRange}, ${acc.inputRange}]`);
      out[at++] = v;
      return;
    }
    if (!Array.isArray(v)) throw new LayerFileError(file, `${where} must be an array`);
    if (v.length !== shape[depth]) throw new LayerFileError(file, `${where} has ${v.length} entries, expected ${shape[depth]}`);
    v.forEach((x, i) => walk(x, depth + 1, `${where}[${i}]`));
  };
  walk(input, 0, "input");
  return out;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        layer: { type: "string" },
        input: { type: "string" },
        out: { type: "string" },
        sim: { type: "string", default: "iverilog" },
        verilog: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  for (const key of ["layer", "input", "out"] as const) if (!values[key]) throw new UsageError(`missing --${key}`);
  if (values.sim !== "iverilog" && values.sim !== "verilator") throw new UsageError(`--sim ${values.sim}: use iverilog or verilator`);
  const acc = readLayerFile(values.layer!);
  const x = readInput(values.input!, acc);
  const { layer, parallelism } = acc;
  const design = elaborate(Spec2Layer, { layer, ...parallelism });
  const sim = { ...design, ...(values.verilog ? { verilog: readFileSync(values.verilog, "utf8") } : {}) };
  process.stderr.write(`run-layer: ${design.top} on ${values.sim}\n`);
  const words = quantizeActivations(x, layer.formats.inFrac, layer.formats.actBits);
  const [run] = await runLayerMaps(sim, layer, [words], { backend: values.sim as Backend });
  const { cout, ho, wo } = makePlan(layer);
  const y = dequantize(run!.output, layer.formats.outFrac);
  const output = Array.from({ length: cout }, (_, o) => Array.from({ length: ho }, (_, r) => Array.from(y.subarray((o * ho + r) * wo, (o * ho + r + 1) * wo))));
  const P = parallelism.pOut * parallelism.pIn;
  writeFileAtomic(
    values.out!,
    JSON.stringify({
      output,
      cycles: run!.cycles,
      simulator: values.sim,
      usefulMacs: run!.macs,
      peUtilisation: run!.macs / (P * run!.cycles),
      parallelism,
      formats: layer.formats,
    }) + "\n",
  );
  process.stderr.write(`run-layer: ${run!.cycles} cycles, PE utilisation ${((100 * run!.macs) / (P * run!.cycles)).toFixed(1)}%, wrote ${values.out}\n`);
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    if (e instanceof UsageError) process.stderr.write(`run-layer: ${e.message}\n${USAGE}\n`);
    else if (e instanceof LayerFileError) process.stderr.write(`run-layer: ${e.message}\n`);
    else process.stderr.write(`run-layer: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 2;
  });
}
