/**
 * VGG16 on SPEC2: performance model + design-space exploration under the Virtex-7 XC7VX690T
 * budget (hdl/spec2/perf/README.md), for a machine of many FFT / IFFT lanes with overlapped
 * phases that is not built; the built engine's figures are bench/vgg16.ts's.
 *
 *   npx tsx bench/vgg16-dse.ts [--clock MHz] [--bw GB/s] [--batch N] [--resynth] [--write] [--json] [--quick]
 *   (--quick: no re-exploration for the sensitivity table)
 *
 * Reads the Yosys block measurements from bench/results/synth-cache.json (--resynth first runs
 * `npx tsx bench/synth-blocks.ts` for the missing entries: tens of minutes), the model-vs-RTL
 * figures from bench/results/validation.json (`npx tsx bench/validate.ts --write`), prints
 * the tables (or, with --json, the summary as JSON) and, with --write, writes
 * bench/results/vgg16-dse.md, vgg16-dse.json, vgg16-dse-layers.svg, vgg16-dse-pareto.svg. Progress on stderr.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { isMain } from "../hdl/core";
import { CliError, integerOption, parseCommandLine, positiveNumberOption, runMain, writeFileAtomic } from "../hdl/core/cli";
import { DEFAULT_SPACE, best, describeConfig, evaluate, explore, paretoFront, type DsePoint } from "../hdl/spec2/perf/dse";
import { DEFAULT_SYSTEM, type SystemParams } from "../hdl/spec2/perf/model";
import { XC7VX690T, compositionCheck, gluePerPe, inputBufferWords, measuredKs, type Usage } from "../hdl/spec2/perf/resources";
import { layersSvg, paretoSvg } from "../hdl/spec2/perf/svg";
import { readCache } from "../hdl/spec2/perf/synth-cache";
import { PUBLISHED, VGG16_CONV } from "../hdl/spec2/perf/vgg16";

const here = path.dirname(fileURLToPath(import.meta.url));
const results = path.join(here, "results");

const USAGE = `usage: npx tsx bench/vgg16-dse.ts [--clock MHZ] [--bw GBS] [--batch N] [--weight-bits B] [--resynth] [--write] [--json] [--quick]

VGG16 on SPEC2: the performance model and the design-space exploration under the XC7VX690T budget,
for a many-lane machine that is not built (the built engine: bench/vgg16.ts).
Prints the tables; --write also writes bench/results/vgg16-dse.md, vgg16-dse.json,
vgg16-dse-layers.svg, vgg16-dse-pareto.svg. The figures are the model's (validated per layer against RTL runs, see the
model-vs-RTL table), not a simulation of the whole network.

  --clock MHZ    clock (default 200)
  --bw GBS       DRAM bandwidth in GB/s (default 12.8)
  --batch N      images per batch the configuration is chosen for (default 1)
  --weight-bits B  bits of a weight's re and im words off chip (default 16; prune/weight-bits.ts measures the accuracy)
  --resynth      first measure missing blocks with bench/synth-blocks.ts (tens of minutes)
  --write        write the results files (default: print only)
  --json         print { clockMHz, bandwidthGBs, batches: [{ batch, msPerImage, topsEquivalent,
                 dramBoundLayers, weightBytesPerImage, mapBytesPerImage }]
                 (batches 1 and 16 on the chosen configuration), resources: { lutSites, ff, dsp,
                 bram36 }, validation: { maxCycleError, source } } instead of the tables
  --quick        no re-exploration for the sensitivity table
  -h, --help     this text`;

async function main(): Promise<void> {
  const cl = parseCommandLine({
    usage: USAGE,
    options: { clock: { type: "string" }, bw: { type: "string" }, batch: { type: "string" }, "weight-bits": { type: "string" }, resynth: { type: "boolean" }, write: { type: "boolean" }, json: { type: "boolean" }, quick: { type: "boolean" } },
  });
  if (!cl) return;
  const clockMHz = positiveNumberOption(cl, "clock", 200);
  const bwGBs = positiveNumberOption(cl, "bw", 12.8);
  const batch = integerOption(cl, "batch", { min: 1 }, 1);
  const weightBits = integerOption(cl, "weight-bits", { min: 4, max: 16 }, 16);
  const write = cl.values.write === true;
  const json = cl.values.json === true;
  const quick = cl.values.quick === true;
  const argsText = process.argv.slice(2).filter((a) => a !== "--resynth").map((a) => " " + a).join("");
  const sys: SystemParams = { ...DEFAULT_SYSTEM, clockHz: clockMHz * 1e6, dramBytesPerS: bwGBs * 1e9, batch, weightBits };

  if (cl.values.resynth === true) {
    process.stderr.write("running Yosys on the building blocks (missing cache entries only)...\n");
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(here, "synth-blocks.ts")], { stdio: "inherit" });
    if (r.status !== 0) throw new CliError(`bench/synth-blocks.ts failed (exit ${r.status ?? r.signal})`);
  }

  const cache = readCache();
  const out: string[] = [];
  const say = (s = ""): void => {
    out.push(s);
  };
  const fmt = (v: number, d = 0): string => v.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
  const pct = (u: number, b: number): string => `${((100 * u) / b).toFixed(1)}%`;

  process.stderr.write(`design-space exploration over K ${measuredKs(cache).join(", ")} (measured blocks), batch ${batch}...\n`);
  const t0 = Date.now();
  const points = explore(cache, VGG16_CONV, DEFAULT_SPACE, sys);
  const fitting = points.filter((p) => p.fits);
  process.stderr.write(`${points.length} configurations, ${fitting.length} within budget (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  const top = best(points);
  if (!top) throw new CliError("no configuration fits the budget");
  const c = top.config;

  say(`# VGG16 (13 conv layers, 224x224) on SPEC2: model results`);
  say();
  say(`Assumed: clock ${clockMHz} MHz (no place-and-route), DRAM ${bwGBs} GB/s, batch ${batch}, 16-bit activations, K/n as below, 75% pruned (n = round(0.25 K(K/2+1))).`);
  say(`Measured: per-tile cycles of the units (model validated against RTL runs of batches with lanes, bench/results/validation.json), block resources (Yosys ${cache.yosys}, synth_xilinx xc7). Generated by \`npx tsx bench/vgg16-dse.ts${argsText}\`.`);
  say();
  say(`## Best configuration (highest equivalent throughput within the XC7VX690T budget)`);
  say();
  say(`${describeConfig(c, top.buffers)}`);
  say();
  say(`| layer | Cin -> Cout | map | tiles | passes | cycles/tile (bound unit) | compute ms | DRAM ms | time ms/image | bound | eq. TOP/s | PE util. | weight MB/image | map MB/image |`);
  say(`|---|---|---|---|---|---|---|---|---|---|---|---|---|---|`);
  const mb = (bytes: number, batchOf: number): string => (bytes / batchOf / 1e6).toFixed(2);
  for (const l of top.perf.layers) {
    const L = l.layer;
    say(`| ${L.name} | ${L.cin} -> ${L.cout} | ${L.h}x${L.w} | ${l.tiles} | ${l.chunks} | ${fmt(l.rates.tile)} (${l.rates.bound}) | ${((l.computeS / l.batch) * 1e3).toFixed(3)} | ${((l.memoryS / l.batch) * 1e3).toFixed(3)} | ${(l.timePerImageS * 1e3).toFixed(3)} | ${l.bound} | ${(l.eqOpsPerS / 1e12).toFixed(2)} | ${(100 * l.peUtilisation).toFixed(1)}% | ${mb(l.bytes.weights, l.batch)} | ${mb(l.bytes.input + l.bytes.output, l.batch)} |`);
  }
  const net = top.perf;
  const sumBytes = (f: (l: (typeof net.layers)[number]) => number): number => net.layers.reduce((a, l) => a + f(l) / l.batch, 0);
  say(`| **total** | | | | | | | | **${(net.timePerImageS * 1e3).toFixed(3)}** | | **${(net.eqOpsPerS / 1e12).toFixed(3)}** | | **${(sumBytes((l) => l.bytes.weights) / 1e6).toFixed(1)}** | **${(sumBytes((l) => l.bytes.input + l.bytes.output) / 1e6).toFixed(1)}** |`);
  say();
  say(`Total: ${(net.ops / 1e9).toFixed(2)} G equivalent operations per image, ${(net.macs / 1e9).toFixed(3)} G useful complex MACs; ${(net.timePerImageS * 1e3).toFixed(3)} ms per image = ${fmt(1 / net.timePerImageS, 1)} images/s = **${(net.eqOpsPerS / 1e12).toFixed(3)} TOP/s equivalent** at ${clockMHz} MHz.`);
  const computeOnly = net.layers.reduce((s, l) => s + l.computeS / l.batch, 0);
  say(`Compute time alone (infinite DRAM bandwidth): ${(computeOnly * 1e3).toFixed(3)} ms per image = ${(net.ops / computeOnly / 1e12).toFixed(3)} TOP/s equivalent.`);
  say();
  say(`## Resources of the best configuration vs XC7VX690T`);
  say();
  say(`| part | LUT sites | FF | DSP48E1 | RAMB36 | source |`);
  say(`|---|---|---|---|---|---|`);
  const row = (name: string, u: Usage, src: string): void => say(`| ${name} | ${fmt(u.lut)} | ${fmt(u.ff)} | ${fmt(u.dsp)} | ${fmt(u.bram36, 1)} | ${src} |`);
  const b = top.usage;
  row(`${c.fftLanes} x Fft2dForward`, b.fft, "Yosys");
  row(`${c.ifftLanes} x Ifft2d`, b.ifft, "Yosys");
  row(`${c.pOut * c.pIn} x Pe (oLoc ${c.accRegions ?? Math.ceil(512 / c.pOut)})`, b.pes, "Yosys, linear in oLoc between 2 and 16");
  row(`PE-array glue`, b.glue, gluePerPe(cache).lut > 0 ? "Yosys: (whole composition layer - its parts) / 8 per PE" : "not measured");
  row(`weight buffers`, b.weightBuffer, "estimate by words");
  row(`input buffer`, b.inputBuffer, "estimate by words");
  row(`overlap-add buffer`, b.oaaBuffer, "estimate by words");
  row(`**total**`, b.total, "");
  say(`| **budget** | ${fmt(XC7VX690T.lut)} (${pct(b.total.lut, XC7VX690T.lut)}) | ${fmt(XC7VX690T.ff)} (${pct(b.total.ff, XC7VX690T.ff)}) | ${fmt(XC7VX690T.dsp)} (${pct(b.total.dsp, XC7VX690T.dsp)}) | ${fmt(XC7VX690T.bram36)} (${pct(b.total.bram36, XC7VX690T.bram36)}) | |`);
  say();
  say(`## Against the published VGG16 designs (SPEC2.md section 5)`);
  say();
  say(`| work | device | published GOP/s | this model / published |`);
  say(`|---|---|---|---|`);
  for (const p of PUBLISHED) say(`| ${p.work} | ${p.device} | ${p.gops}${p.note ? ` (${p.note})` : ""} | ${((net.eqOpsPerS / 1e9) / p.gops).toFixed(2)}x |`);
  say();
  const bestPublished = Math.max(...PUBLISHED.map((p) => p.gops));
  for (const K of measuredKs(cache)) {
    const bk = best(points.filter((p) => p.config.K === K));
    if (bk) say(`Best K=${K} configuration: ${describeConfig(bk.config, bk.buffers)}: ${(bk.perf.timePerImageS * 1e3).toFixed(3)} ms per image, ${(bk.perf.eqOpsPerS / 1e12).toFixed(3)} TOP/s equivalent, ${fmt(bk.usage.total.lut)} LUT sites, ${fmt(bk.usage.total.dsp)} DSP, ${fmt(bk.usage.total.bram36, 1)} RAMB36.`);
  }
  say();
  say(`Best configuration: ${fmt(net.eqOpsPerS / 1e9, 1)} GOP/s equivalent, ${((net.eqOpsPerS / 1e9) / bestPublished).toFixed(2)}x the best published figure (${bestPublished} GOP/s); SPEC2 claims up to 24x.`);
  say();

  // batch and bandwidth sensitivity of the best configuration, and the best per batch
  say(`## Sensitivity (same configuration unless stated)`);
  say();
  say(`| batch | DRAM GB/s | time ms/image | eq. TOP/s | bandwidth-bound layers | best config for this batch/bandwidth | its TOP/s |`);
  say(`|---|---|---|---|---|---|---|`);
  for (const [bt, bw, redo] of [[1, bwGBs, false], [4, bwGBs, false], [16, bwGBs, true], [1, 4 * bwGBs, false], [16, 4 * bwGBs, false], [1, Infinity, true]] as const) {
    const s2: SystemParams = { ...sys, batch: bt, dramBytesPerS: bw * 1e9 };
    const same = evaluate(cache, VGG16_CONV, c, top.buffers, s2);
    let other = "(not re-explored)";
    if (redo && !quick) {
      process.stderr.write(`sensitivity: DSE for batch ${bt}, ${bw} GB/s...\n`);
      const b2 = best(explore(cache, VGG16_CONV, DEFAULT_SPACE, s2))!;
      other = `${describeConfig(b2.config, b2.buffers)} | ${(b2.perf.eqOpsPerS / 1e12).toFixed(3)}`;
    } else other += " | ";
    say(`| ${bt} | ${bw === Infinity ? "unlimited" : bw} | ${(same.perf.timePerImageS * 1e3).toFixed(3)} | ${(same.perf.eqOpsPerS / 1e12).toFixed(3)} | ${same.perf.layers.filter((l) => l.bound === "bandwidth").length} of 13 | ${other} |`);
  }
  say();

  const fronts = { lut: paretoFront(points, "lut"), dsp: paretoFront(points, "dsp") };
  say(`## DSE Pareto front (throughput vs LUT sites), batch ${batch} (points adding < 0.5% throughput left out)`);
  say();
  say(`| config | LUT sites | DSP | RAMB36 | eq. TOP/s |`);
  say(`|---|---|---|---|---|`);
  for (const p of fronts.lut) say(`| ${describeConfig(p.config, p.buffers)} | ${fmt(p.usage.total.lut)} | ${fmt(p.usage.total.dsp)} | ${fmt(p.usage.total.bram36, 1)} | ${(p.perf.eqOpsPerS / 1e12).toFixed(3)} |`);
  say();
  const space = DEFAULT_SPACE;
  say(`Space: K in {${measuredKs(cache).join(", ")}} (those with all blocks measured), pOut in {${space.pOut.join(", ")}}, pIn in {${space.pIn.join(", ")}}, FFT lanes in {${space.fftLanes.join(", ")}}, IFFT lanes in {${space.ifftLanes.join(", ")}} (<= pOut), weight buffer {${space.weightBram36PerPe.join(", ")}} RAMB36/PE, input map buffer {${space.inputMapBram36.join(", ")}} RAMB36: ${points.length} points, ${fitting.length} within budget.`);
  say();

  say(`## Model vs RTL (batches of images, lanes; bench/results/validation.json) and composition check`);
  say();
  const vf = path.join(results, "validation.json");
  if (existsSync(vf)) {
    const v = JSON.parse(readFileSync(vf, "utf8")) as { simulator: string; results: { shape: { cin: number; cout: number; h: number; w: number; K: number; pOut: number; pIn: number; images: number; build: object }; bound: string; modelCycles: number; rtlCycles: number; error: number; modelMacs: number; rtlMacs: number; mismatches: number }[] };
    say(`| layer | K | P | lanes and widths | images | bound | model cycles | RTL cycles (${v.simulator}) | error | MACs model = RTL | output words differing from the golden model |`);
    say(`|---|---|---|---|---|---|---|---|---|---|---|`);
    for (const r of v.results) {
      const s = r.shape;
      say(`| ${s.cin} -> ${s.cout}, ${s.h}x${s.w} | ${s.K} | ${s.pOut}x${s.pIn} | ${JSON.stringify(s.build)} | ${s.images} | ${r.bound} | ${r.modelCycles} | ${r.rtlCycles} | ${(100 * r.error).toFixed(2)}% | ${r.modelMacs === r.rtlMacs ? "yes" : `no (${r.modelMacs} vs ${r.rtlMacs})`} | ${r.mismatches} |`);
    }
    say();
  } else say(`(no bench/results/validation.json: run npx tsx bench/validate.ts --write)\n`);
  const comp = compositionCheck(cache);
  if (comp) {
    say(`Composition check (Spec2Layer 8 -> 16 channels, 12x12, k=3, K=8, P = 4x2): sum of the separately synthesised parts vs the whole layer synthesised at once:`);
    say();
    say(`| | LUT sites | FF | DSP | RAMB36 |`);
    say(`|---|---|---|---|---|`);
    for (const [k, u] of Object.entries(comp.detail)) say(`| ${k} | ${fmt(u.lut)} | ${fmt(u.ff)} | ${fmt(u.dsp)} | ${fmt(u.bram36, 1)} |`);
    say(`| sum of parts | ${fmt(comp.parts.lut)} | ${fmt(comp.parts.ff)} | ${fmt(comp.parts.dsp)} | ${fmt(comp.parts.bram36, 1)} |`);
    say(`| whole layer | ${fmt(comp.whole.lut)} | ${fmt(comp.whole.ff)} | ${fmt(comp.whole.dsp)} | ${fmt(comp.whole.bram36, 1)} |`);
    const e = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a");
    say(`| (parts - whole) / whole | ${e(comp.error.lut)} | ${e(comp.error.ff)} | ${e(comp.error.dsp)} | ${e(comp.error.bram36)} |`);
    say();
  } else say(`Composition check: not in the synthesis cache yet.\n`);
  void inputBufferWords;

  const text = out.join("\n");
  if (json) console.log(JSON.stringify(summary(top, sys, clockMHz, bwGBs), null, 1));
  else console.log(text);
  if (write) {
    writeFileAtomic(path.join(results, "vgg16-dse.md"), text + "\n");
    const slim = (p: DsePoint) => ({ config: p.config, buffers: p.buffers, usage: p.usage.total, eqTops: p.perf.eqOpsPerS / 1e12, msPerImage: p.perf.timePerImageS * 1e3 });
    writeFileAtomic(
      path.join(results, "vgg16-dse.json"),
      JSON.stringify(
        {
          command: `npx tsx bench/vgg16-dse.ts ${process.argv.slice(2).join(" ")}`.trim(),
          system: { clockMHz, dramGBs: bwGBs, batch },
          best: { ...slim(top), breakdown: top.usage, layers: top.perf.layers.map((l) => ({ name: l.layer.name, tiles: l.tiles, chunks: l.chunks, tileCycles: l.rates.tile, tileBound: l.rates.bound, computeMs: (l.computeS / l.batch) * 1e3, dramMs: (l.memoryS / l.batch) * 1e3, msPerImage: l.timePerImageS * 1e3, bound: l.bound, eqTops: l.eqOpsPerS / 1e12, weightBytesPerImage: l.bytes.weights / l.batch, mapBytesPerImage: (l.bytes.input + l.bytes.output) / l.batch })) },
          ratios: PUBLISHED.map((p) => ({ work: p.work, gops: p.gops, ratio: net.eqOpsPerS / 1e9 / p.gops })),
          paretoLut: fronts.lut.map(slim),
          paretoDsp: fronts.dsp.map(slim),
        },
        null,
        1,
      ) + "\n",
    );
    writeFileAtomic(path.join(results, "vgg16-dse-layers.svg"), layersSvg(net, `VGG16 per layer, ${describeConfig(c)}, ${clockMHz} MHz, ${bwGBs} GB/s, batch ${batch}`));
    writeFileAtomic(path.join(results, "vgg16-dse-pareto.svg"), paretoSvg(points, fronts, XC7VX690T, `SPEC2 VGG16 DSE: equivalent TOP/s vs resources (${clockMHz} MHz, ${bwGBs} GB/s, batch ${batch})`));
    process.stderr.write(`wrote bench/results/vgg16-dse.md, vgg16-dse.json, vgg16-dse-layers.svg, vgg16-dse-pareto.svg\n`);
  }
}

/** JSON_BATCHES on the chosen configuration, its resources, and the model's largest error against RTL. */
const JSON_BATCHES = [1, 16] as const;

function summary(top: DsePoint, sys: SystemParams, clockMHz: number, bandwidthGBs: number): object {
  const cache = readCache();
  const batches = JSON_BATCHES.map((batch) => {
    const perf = evaluate(cache, VGG16_CONV, top.config, top.buffers, { ...sys, batch }).perf;
    const perImage = (f: (l: (typeof perf.layers)[number]) => number): number => perf.layers.reduce((a, l) => a + f(l) / l.batch, 0);
    return {
      batch,
      msPerImage: perf.timePerImageS * 1e3,
      topsEquivalent: perf.eqOpsPerS / 1e12,
      dramBoundLayers: perf.layers.filter((l) => l.bound === "bandwidth").map((l) => l.layer.name),
      weightBytesPerImage: perImage((l) => l.bytes.weights),
      mapBytesPerImage: perImage((l) => l.bytes.input + l.bytes.output),
    };
  });
  const u = top.usage.total;
  const vf = path.join(results, "validation.json");
  const errors = existsSync(vf) ? (JSON.parse(readFileSync(vf, "utf8")) as { results: { error: number }[] }).results.map((r) => Math.abs(r.error)) : [];
  return {
    clockMHz,
    bandwidthGBs,
    config: describeConfig(top.config, top.buffers),
    batches,
    resources: { lutSites: u.lut, ff: u.ff, dsp: u.dsp, bram36: u.bram36, source: "composed from Yosys-measured blocks (model)" },
    validation: {
      maxCycleError: errors.length ? Math.max(...errors) : null,
      source: "bench/results/validation.json: per-layer Spec2Layer RTL runs (Verilator), not the run-time engine",
    },
  };
}

if (isMain(import.meta.url)) runMain("vgg16-dse", main);
