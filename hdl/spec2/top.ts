/**
 * Prints the SPEC2 accelerator's Verilog.
 *
 *   npx tsx hdl/spec2/top.ts [--config NAME | --layer L.json] [--weights DIR] [--pout N --pin N] [--max-depth N] > top.v
 *
 * With no arguments: the LeNet-5 conv layers with the pruned weights in weights/lenet (one layer
 * per design, weights in ROM). `--config vgg16` (or engine-mnist): the run-time configured engine
 * (engine/engine.ts: a command list and the datapath), its layers given at run time. Errors go to stderr with exit code 2, and
 * nothing is printed on stdout.
 */
import { Input, Output, SInt, UInt, Var, VecValue, defineModule, elaborate, isMain, type ModuleDef } from "../core";
import { UsageError, integerOption, parseCommandLine, runMain, stringOption } from "../core/cli";
import { CONFIGS, DEFAULT_WEIGHTS, findConfig, type LayerConfig } from "./configs";
import { Spec2Layer } from "./layer";
import { ENGINE_CONFIGS, findEngineConfig } from "./engine/configs";
import { Engine } from "./engine/engine";
import { LayerFileError, readLayerFile } from "./layer-file";

const HELP = `usage: npx tsx hdl/spec2/top.ts [--config NAME | --layer L.json] [--weights DIR] [--pout N] [--pin N] [--max-depth N] [--top NAME] > top.v

Prints the Verilog of the SPEC2 accelerator on stdout.

  --config NAME   a named configuration (default: lenet)
${CONFIGS.map((c) => `                    ${c.name.padEnd(12)} ${c.description}`).join("\n")}
                  the run-time configured engine (layers from external memory, weights streamed):
${ENGINE_CONFIGS.map((c) => `                    ${c.name.padEnd(12)} ${c.description}`).join("\n")}
  --layer FILE    one layer from a layer file (the accelerator hdl/spec2/run-layer.ts simulates for it)
  --weights DIR   pruned weights directory for the lenet configurations (default: weights/lenet)
  --pout N        PEs over output channels (overrides the configuration)
  --pin N         PEs over input channels (overrides the configuration)
  --max-depth N   the engine's weight bank rows (engine configurations only)
  --top NAME      name of the wrapper module when there are several layers (default: Spec2Top)
  -h, --help      this text`;


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

/** The Verilog for the command-line arguments ("" after --help, which prints the usage). */
export function verilogFor(argv: readonly string[]): string {
  const cl = parseCommandLine({
    usage: HELP,
    argv,
    options: { config: { type: "string" }, layer: { type: "string" }, weights: { type: "string" }, pout: { type: "string" }, pin: { type: "string" }, "max-depth": { type: "string" }, top: { type: "string" } },
  });
  if (!cl) return "";
  const configName = stringOption(cl, "config");
  const layerFile = stringOption(cl, "layer");
  if (configName !== undefined && layerFile !== undefined) throw new UsageError("give either --config or --layer, not both", HELP);
  const pOut = integerOption(cl, "pout", { min: 1 });
  const pIn = integerOption(cl, "pin", { min: 1 });
  const maxDepth = integerOption(cl, "max-depth", { min: 2, max: 1 << 20 });
  const engine = configName === undefined ? undefined : findEngineConfig(configName);
  if (engine) {
    if (stringOption(cl, "weights") !== undefined) throw new UsageError(`--weights: the ${engine.name} engine takes its weights at run time, from external memory`, HELP);
    const p = engine.params({ ...(pOut ? { pOut } : {}), ...(pIn ? { pIn } : {}), ...(maxDepth ? { maxDepth } : {}) });
    const c = p.core;
    if (c.pOut > c.maxCout) throw new UsageError(`--pout ${c.pOut} exceeds the ${c.maxCout} output channels of a ${engine.name} pass`, HELP);
    if (c.pIn > c.maxCin) throw new UsageError(`--pin ${c.pIn} exceeds the ${c.maxCin} input channels of ${engine.name}`, HELP);
    return elaborate(Engine, p).verilog;
  }
  if (maxDepth !== undefined) throw new UsageError("--max-depth applies to the engine configurations only", HELP);
  let layers: LayerConfig[];
  if (layerFile !== undefined) {
    const acc = readLayerFile(layerFile);
    layers = [{ name: "layer", layer: acc.layer, parallelism: acc.parallelism }];
  } else {
    const config = findConfig(configName ?? "lenet");
    if (!config) throw new UsageError(`--config ${configName}: unknown; one of ${[...CONFIGS, ...ENGINE_CONFIGS].map((c) => c.name).join(", ")}`, HELP);
    layers = config.layers(stringOption(cl, "weights") ?? DEFAULT_WEIGHTS);
  }
  layers = layers.map((l) => {
    const parallelism = { ...l.parallelism, pOut: pOut ?? l.parallelism.pOut, pIn: pIn ?? l.parallelism.pIn };
    if (parallelism.pOut > l.layer.cout) throw new UsageError(`--pout ${parallelism.pOut} exceeds the ${l.layer.cout} output channels of ${l.name}`, HELP);
    if (parallelism.pIn > l.layer.cin) throw new UsageError(`--pin ${parallelism.pIn} exceeds the ${l.layer.cin} input channels of ${l.name}`, HELP);
    return { ...l, parallelism };
  });
  if (layers.length === 1) return elaborate(Spec2Layer, { layer: layers[0]!.layer, ...layers[0]!.parallelism }).verilog;
  const top = stringOption(cl, "top") ?? "Spec2Top";
  if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(top)) throw new UsageError(`--top ${top}: not a Verilog identifier (letters, digits and _)`, HELP);
  return elaborate(wrapper(top, layers)).verilog;
}

if (isMain(import.meta.url)) {
  runMain("top", () => process.stdout.write(verilogFor(process.argv.slice(2))), (e) => (e instanceof LayerFileError ? 2 : undefined));
}
