/**
 * Simulation benchmark: batch cycles per second and poke/peek round trips per second on the JS
 * backend, Icarus and Verilator for the same designs (an array of 32-bit LFSRs and counters; the
 * LeNet conv2 layer; a VGG-class layer of 64 -> 64 channels on 16 PEs), the JS backend's ratios
 * to the others, its compile time and Verilator's build times, and the JS backend's batch rate
 * with `checkUninitialised` on.
 *
 *   npx tsx bench/sim.ts [--cycles N] [--seconds S] [--js-only] [--json]
 *
 * `--json` prints { "designs": [{ "name", "cyclesPerSecond": { "js", "iverilog", "verilator" },
 * "roundTripsPerSecond": { "js", "iverilog", "verilator" }, "checkedCyclesPerSecond" }] }.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Input, Output, Reg, UInt, cat, defineModule, elaborate, isMain, when, type ElaboratedDesign, type Signal } from "../hdl/core";
import { CliError, integerOption, parseCommandLine, positiveNumberOption, runMain } from "../hdl/core/cli";
import { DEFAULT_WEIGHTS, LENET_PARALLELISM } from "../hdl/spec2/configs";
import type { Spec2LayerParams } from "../hdl/spec2/layer";
import { beatsPerImage, layerBench, writeInputFile } from "../hdl/spec2/layer-driver";
import { randomLayer } from "../hdl/spec2/perf/random-layer";
import { makePlan } from "../spectral/conv";
import { fixedLayerOf, loadWeights } from "../spectral/weights";
import { SimError, simulate, type Backend, type Sample, type SimOptions, type Stimulus } from "../sim";

const LANES = 16;
const BACKENDS: readonly Backend[] = ["js", "iverilog", "verilator"];

/** LANES x (32-bit LFSR + 32-bit counter), XOR and sum outputs. */
const LfsrArray = defineModule("LfsrArray", () => {
  const load = Input(UInt(1));
  const seed = Input(UInt(32));
  const inc = Input(UInt(32));
  const mix = Output(UInt(32));
  const total = Output(UInt(32));
  let x: Signal | undefined;
  let sum: Signal | undefined;
  for (let i = 0; i < LANES; i++) {
    const s = Reg(UInt(32), { init: ((0x9e3779b9n * BigInt(i + 1)) & 0xffffffffn) | 1n, name: `s${i}` });
    const c = Reg(UInt(32), { init: 0, name: `c${i}` });
    when(load, () => {
      s.assign(seed.xor(i * 7919 + 1));
      c.assign(inc);
    }).otherwise(() => {
      s.assign(cat(s.bits(30, 0), s.bit(31).xor(s.bit(21)).xor(s.bit(1)).xor(s.bit(0))));
      c.assign(c.addWrap(inc).addWrap(i));
    });
    x = x === undefined ? s : x.xor(s);
    sum = sum === undefined ? c : sum.addWrap(c);
  }
  mix.assign(x!);
  total.assign(sum!);
  return { load, seed, inc, mix, total };
});

interface BenchDesign {
  readonly name: string;
  readonly design: ElaboratedDesign;
  readonly opts: SimOptions;
  readonly resetCycles: number;
  readonly stimulus: (cycles: number) => Stimulus[];
  /** The input poked and the output peeked in a round trip. */
  readonly poke: string;
  readonly peek: string;
}

function lfsrDesign(): BenchDesign {
  return {
    name: "lfsr-array",
    design: elaborate(LfsrArray),
    opts: {},
    resetCycles: 1,
    stimulus: (cycles) => {
      let x = 12345;
      return Array.from({ length: cycles }, (_, k) => {
        x = (x * 1103515245 + 12345) >>> 0;
        return { load: k % 1000 === 0 ? 1 : 0, seed: x, inc: x & 0xff };
      });
    },
    poke: "inc",
    peek: "total",
  };
}

/**
 * A layer fed from its input memory with random images, streaming from reset on: enough images
 * (at about `cyclesPerImage` clock cycles each) to keep it busy for `cycles`, the longest run.
 * An idle layer would measure nothing: the JS backend skips logic whose inputs do not change.
 */
function layerDesign(name: string, p: Spec2LayerParams, cyclesPerImage: number, cycles: number): BenchDesign {
  const images = Math.ceil((1.1 * cycles) / cyclesPerImage) + 1;
  const { cin, h, w } = makePlan(p.layer);
  let x = 7;
  const maps = Array.from({ length: images }, () =>
    Int32Array.from({ length: cin * h * w }, () => {
      x = (x * 1103515245 + 12345) >>> 0;
      return (x >>> 16) % 101 - 50;
    }),
  );
  const file = writeInputFile(p, maps, images * beatsPerImage(p) + 1);
  return {
    name,
    design: layerBench(p, images),
    opts: { plusargs: { spec2_input: file } },
    resetCycles: 2,
    stimulus: (cycles) => Array.from({ length: cycles }, () => ({})),
    poke: "reset",
    peek: "macs",
  };
}

/** `cycles`: the longest batch run. */
function designs(cycles: number): BenchDesign[] {
  const conv2: Spec2LayerParams = { layer: fixedLayerOf(loadWeights(DEFAULT_WEIGHTS), 1), ...LENET_PARALLELISM.conv2! };
  const vgg = randomLayer({ cin: 64, cout: 64, h: 14, w: 14, k: 3, p: 1, K: 8, density: 0.25, pOut: 16, pIn: 1, relu: true }, 41).acc;
  const vggParams: Spec2LayerParams = { layer: vgg.layer, pOut: 16, pIn: 1, loadWords: 4 };
  // cycles per image measured on the JS backend: 4 LeNet conv2 images in 4,755 cycles, one VGG image in 27,660
  return [lfsrDesign(), layerDesign("lenet-conv2", conv2, 1190, cycles), layerDesign("vgg-64x64-14", vggParams, 27_700, cycles)];
}

const USAGE = `usage: npx tsx bench/sim.ts [--cycles N] [--seconds S] [--js-only] [--json]

Batch cycles per second and poke/peek round trips per second on the JS backend, Icarus and
Verilator for the same designs, the JS backend's ratios, its compile time and Verilator's build times.

  --cycles N    batch cycles on Icarus; the JS backend and Verilator run ten times as many (default 20000)
  --seconds S   length of each round-trip measurement (default 2)
  --js-only     the JS backend alone (with and without checkUninitialised), no Icarus or Verilator
  --json        only the figures, as JSON
  -h, --help    this text`;

async function roundTrips(d: BenchDesign, backend: Backend, seconds: number): Promise<number> {
  const sim = await simulate(d.design, { ...d.opts, backend });
  try {
    await sim.reset(d.resetCycles);
    const port = sim.port(d.poke);
    const span = 2 ** Math.min(port.width, 16);
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      for (let k = 0; k < 1000; k++) {
        sim.poke(d.poke, port.name === "reset" ? 0 : n % span);
        await sim.peekValue(d.peek);
        n++;
      }
    }
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await sim.close();
  }
}

/** Cycles per second of one batch run (after the simulator has started), and the samples' checksum. */
async function batchRate(d: BenchDesign, backend: Backend, cycles: number, compared: number, extra: SimOptions = {}): Promise<{ rate: number; checksum: string; uninitialised: number }> {
  const sim = await simulate(d.design, { ...d.opts, ...extra, backend });
  try {
    const stim = d.stimulus(cycles);
    const t0 = performance.now();
    const out = await sim.batch(stim, { resetCycles: d.resetCycles });
    const secs = (performance.now() - t0) / 1000;
    return { rate: cycles / secs, checksum: checksum(out.slice(0, compared)), uninitialised: sim.uninitialisedReads().length };
  } finally {
    await sim.close();
  }
}

function checksum(samples: readonly Sample[]): string {
  let h = 0n;
  for (const s of samples) for (const v of Object.values(s)) h = (h * 1000003n + BigInt(v)) & ((1n << 64n) - 1n);
  return h.toString(16);
}

async function verilatorStart(d: ElaboratedDesign): Promise<{ cold: number; hit: number }> {
  const cacheDir = mkdtempSync(join(tmpdir(), "bench-vcache-"));
  const time = async (): Promise<number> => {
    const t0 = performance.now();
    await (await simulate(d, { backend: "verilator", cacheDir })).close();
    return performance.now() - t0;
  };
  try {
    const cold = await time();
    return { cold, hit: await time() };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

const fmt = (x: number): string => Math.round(x).toLocaleString("en-US");

interface Row {
  name: string;
  cyclesPerSecond: Record<Backend, number>;
  roundTripsPerSecond: Record<Backend, number>;
  /** The JS backend's batch rate with `checkUninitialised: "report"`. */
  checkedCyclesPerSecond: number;
}

async function main(): Promise<void> {
  const cl = parseCommandLine({ usage: USAGE, options: { cycles: { type: "string" }, seconds: { type: "string" }, "js-only": { type: "boolean" }, json: { type: "boolean" } } });
  if (!cl) return;
  const icarusCycles = integerOption(cl, "cycles", { min: 100 }, 20_000);
  const seconds = positiveNumberOption(cl, "seconds", 2);
  const json = cl.values.json === true;
  const jsOnly = cl.values["js-only"] === true;
  const say = (line: string): void => {
    if (!json) console.log(line);
  };
  const rows: Row[] = [];
  for (const d of designs(icarusCycles * 10 + 2000)) {
    say(`\n${d.name}: ${d.design.verilog.split("\n").length.toLocaleString("en-US")} lines of Verilog`);
    const row: Row = { name: d.name, cyclesPerSecond: { js: 0, iverilog: 0, verilator: 0 }, roundTripsPerSecond: { js: 0, iverilog: 0, verilator: 0 }, checkedCyclesPerSecond: 0 };
    if (!json) {
      const t0 = performance.now();
      await (await simulate(d.design, { ...d.opts, backend: "js" })).close();
      say(`  js start (compile, first use):  ${((performance.now() - t0) / 1000).toFixed(2)} s`);
      if (!jsOnly) {
        const v = await verilatorStart(d.design);
        say(`  verilator cold build + start:   ${(v.cold / 1000).toFixed(2)} s; cache hit ${(v.hit / 1000).toFixed(3)} s`);
      }
    }
    const sums = new Map<Backend, string>();
    const compared = Math.min(icarusCycles, 2000);
    for (const backend of jsOnly ? (["js"] as const) : BACKENDS) {
      const cycles = backend === "iverilog" ? icarusCycles : icarusCycles * 10;
      const b = await batchRate(d, backend, cycles, compared);
      sums.set(backend, b.checksum);
      row.cyclesPerSecond[backend] = b.rate;
      row.roundTripsPerSecond[backend] = await roundTrips(d, backend, seconds);
      say(`  ${backend.padEnd(9)} batch ${fmt(b.rate).padStart(10)} cycles/s (${fmt(cycles)} cycles)   round trips ${fmt(row.roundTripsPerSecond[backend]).padStart(10)} /s`);
    }
    const checked = await batchRate(d, "js", icarusCycles * 10, compared, { checkUninitialised: "report" });
    if (checked.checksum !== sums.get("js")) throw new CliError(`${d.name}: checkUninitialised changed the JS backend's outputs`);
    row.checkedCyclesPerSecond = checked.rate;
    say(`  js checked batch ${fmt(checked.rate).padStart(10)} cycles/s with checkUninitialised (${(checked.rate / row.cyclesPerSecond.js).toFixed(2)}x of js; ${checked.uninitialised} uninitialised reads reported)`);
    if (new Set(sums.values()).size !== 1) throw new CliError(`${d.name}: the backends' batch outputs differ (${[...sums].map(([b, s]) => `${b} ${s}`).join(", ")})`);
    const c = row.cyclesPerSecond;
    const r = row.roundTripsPerSecond;
    if (!jsOnly) say(`  js / iverilog: batch ${(c.js / c.iverilog).toFixed(1)}x, round trips ${(r.js / r.iverilog).toFixed(1)}x;  js / verilator: batch ${(c.js / c.verilator).toFixed(2)}x, round trips ${(r.js / r.verilator).toFixed(1)}x (outputs identical on the first ${fmt(compared)} cycles)`);
    rows.push(row);
  }
  if (json) process.stdout.write(`${JSON.stringify({ designs: rows })}\n`);
}

if (isMain(import.meta.url)) runMain("sim", main, (e) => (e instanceof SimError ? 1 : undefined));
