/**
 * Prints the SPEC2 accelerator's Verilog.
 *
 *   npx tsx hdl/spec2/top.ts [--config NAME | --layer L.json] [--weights DIR] [--pout N --pin N] > top.v
 *
 * With no arguments: the LeNet-5 conv layers with the pruned weights in weights/lenet. Errors go
 * to stderr with exit code 2, and nothing is printed on stdout.
 */
import { parseArgs } from "node:util";
import { Input, Output, SInt, UInt, Var, VecValue, defineModule, elaborate, isMain, type ModuleDef } from "../core";
import { CONFIGS, DEFAULT_WEIGHTS, findConfig, type LayerConfig } from "./configs";
import { Spec2Layer } from "./layer";
import { LayerFileError, readLayerFile } from "./layer-file";

const HELP = `usage: npx tsx hdl/spec2/top.ts [--config NAME | --layer L.json] [--weights DIR] [--pout N] [--pin N] > top.v

Prints the Verilog of the SPEC2 accelerator on stdout.

  --config NAME   a named configuration (default: lenet)
${CONFIGS.map((c) => `                    ${c.name.padEnd(12)} ${c.description}`).join("\n")}
  --layer FILE    one layer from a layer file (the accelerator sim/run-layer.ts simulates for it)
  --weights DIR   pruned weights directory for the lenet configurations (default: weights/lenet)
  --pout N        PEs over output channels (overrides the configuration)
  --pin N         PEs over input channels (overrides the configuration)
  --top NAME      name of the wrapper module when there are several layers (default: Spec2Top)
  -h, --help      this text`;

export class TopUsageError extends Error {}

function positive(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new TopUsageError(`--${name} ${v}: expected a positive integer`);
  return n;
}

/** One module per layer; with several layers, a wrapper instantiating each with its ports prefixed by the layer name. */
function wrapper(name: string, layers: readonly LayerConfig[]): ModuleDef<undefined, unknown> {
  return defineModule(name, () => {
    const ports: Record<string, unknown> = {};
    for (const l of layers) {
      const inst = Spec2Layer.instance({ layer: l.layer, ...l.parallelism }, { name: l.name }) as Record<string, unknown>;
      for (const [key, value] of Object.entries(inst)) ports[`${l.name}_${key}`] = exposed(value, `${l.name}_${key}`);
    }
    return ports;
  });
}

/** A port of this module standing for an instance port: an input driving it, or an output driven by it. */
function exposed(value: unknown, name: string): unknown {
  if (value instanceof VecValue) return new VecValue(value.elements.map((e, i) => exposed(e, `${name}_${i}`)) as never[], value.elemType);
  if (!(value instanceof Var)) {
    if (typeof value !== "object" || value === null) throw new Error(`cannot expose ${name}`);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, exposed(v, `${name}_${k}`)]));
  }
  const type = value.signed ? SInt(value.width) : UInt(value.width);
  if (value.signal.kind === "instIn") {
    const port = Input(type, { name });
    value.assign(port);
    return port;
  }
  const port = Output(type, { name });
  port.assign(value);
  return port;
}

/** The Verilog for the command-line arguments. */
export function verilogFor(argv: readonly string[]): string {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      config: { type: "string" },
      layer: { type: "string" },
      weights: { type: "string" },
      pout: { type: "string" },
      pin: { type: "string" },
      top: { type: "string", default: "Spec2Top" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "";
  if (values.config !== undefined && values.layer !== undefined) throw new TopUsageError("give either --config or --layer, not both");
  const pOut = positive("pout", values.pout);
  const pIn = positive("pin", values.pin);
  let layers: LayerConfig[];
  if (values.layer !== undefined) {
    const acc = readLayerFile(values.layer);
    layers = [{ name: "layer", layer: acc.layer, parallelism: acc.parallelism }];
  } else {
    const config = findConfig(values.config ?? "lenet");
    if (!config) throw new TopUsageError(`--config ${values.config}: unknown; one of ${CONFIGS.map((c) => c.name).join(", ")}`);
    layers = config.layers(values.weights ?? DEFAULT_WEIGHTS);
  }
  layers = layers.map((l) => {
    const parallelism = { ...l.parallelism, pOut: pOut ?? l.parallelism.pOut, pIn: pIn ?? l.parallelism.pIn };
    if (parallelism.pOut > l.layer.cout) throw new TopUsageError(`--pout ${parallelism.pOut} exceeds the ${l.layer.cout} output channels of ${l.name}`);
    if (parallelism.pIn > l.layer.cin) throw new TopUsageError(`--pin ${parallelism.pIn} exceeds the ${l.layer.cin} input channels of ${l.name}`);
    return { ...l, parallelism };
  });
  if (layers.length === 1) return elaborate(Spec2Layer, { layer: layers[0]!.layer, ...layers[0]!.parallelism }).verilog;
  return elaborate(wrapper(values.top!, layers)).verilog;
}

if (isMain(import.meta.url)) {
  try {
    const argv = process.argv.slice(2);
    if (argv.includes("--help") || argv.includes("-h")) process.stdout.write(`${HELP}\n`);
    else process.stdout.write(verilogFor(argv));
  } catch (e) {
    const known = e instanceof TopUsageError || e instanceof LayerFileError || (e instanceof Error && "code" in e && String((e as { code: unknown }).code).startsWith("ERR_PARSE_ARGS"));
    process.stderr.write(`top: ${e instanceof Error ? e.message : String(e)}\n${known ? "run with --help for the options\n" : ""}`);
    process.exitCode = 2;
  }
}
