/**
 * Yosys (synth_xilinx, 7-series) resource measurements of the SPEC2 building blocks, cached in
 * bench/results/synth-cache.json (schema: hdl/spec2/perf/synth-cache.ts) so that the DSE,
 * bench/vgg16.ts and the tests never run Yosys.
 *
 *   npx tsx bench/synth-blocks.ts [--only key1,key2] [--force] [--list] [--wasm]
 *
 * Blocks (see hdl/spec2/perf/README.md):
 *   fft-K{8,16}        Fft2dForward { K, T = K - 2 (k = 3), 16 bits, twiddleFrac 14 }
 *   ifft-K{8,16}       Ifft2d { K, dataBits = 16 + 2 log2 K, twiddleFrac 14 }
 *   pe-K{8,16}-o{2,16} Pe { K, xBits 16, weightBits 16, accBits 42 (exact for Cin = 512), oLoc, whole-column X writes, one-word drain }
 *   comp-*             the parts of one whole mid-size Spec2Layer (8 PEs) and the whole layer
 *                      (composition check; comp-ifft is the same unit as ifft-K8 and is taken from it)
 * Each entry is written to the cache as soon as it is done (entries already there are skipped
 * unless --force). Progress on stderr. Native Yosys (default; --wasm for the WebAssembly build,
 * which takes tens of minutes).
 */
import { elaborate, isMain } from "../hdl/core";
import { UsageError, parseCommandLine, runMain, stringOption, writeFileAtomic } from "../hdl/core/cli";
import { YosysError, synthesize, type ResourceReport } from "../synth";
import { Fft2dForward } from "../hdl/spec2/fft2d";
import { Ifft2d } from "../hdl/spec2/ifft2d";
import { InputTiler } from "../hdl/spec2/input-tiler";
import { KernelRom } from "../hdl/spec2/kernel-rom";
import { OverlapAdd } from "../hdl/spec2/overlap-add";
import { Pe } from "../hdl/spec2/pe";
import { buildSchedule } from "../hdl/spec2/schedule";
import { Spec2Layer } from "../hdl/spec2/layer";
import { Queue } from "../hdl/lib";
import { UInt } from "../hdl/core";
import { CACHE_FILE, SYNTH_COMMAND, readCache, type Resources } from "../hdl/spec2/perf/synth-cache";
import { makePlan } from "../spectral/conv";
import { randomLayer, type LayerShape } from "../hdl/spec2/perf/random-layer";

/** The composition-check layer: VGG-like channel ratio at a small map, 8 PEs (4 x 2). */
export const COMPOSITION_SHAPE: LayerShape = { cin: 8, cout: 16, h: 12, w: 12, k: 3, p: 1, K: 8, density: 0.25, pOut: 4, pIn: 2 };
/** Accumulator width used for the PE blocks: 16 + 16 + 1 + log2(512) (exact for any Cin <= 512). */
export const PE_ACC_BITS = 42;
export const PE_OLOCS = [2, 16] as const;

interface Job {
  readonly key: string;
  readonly what: string;
  readonly params: unknown;
  readonly build: () => ReturnType<typeof elaborate>;
}

function compositionJobs(): Job[] {
  const { acc } = randomLayer(COMPOSITION_SHAPE, 7);
  const layer = acc.layer;
  const f = layer.formats;
  const { K, T } = makePlan(layer);
  const { pOut, pIn } = COMPOSITION_SHAPE;
  const s = buildSchedule(layer, pOut, pIn);
  const columns = K / 2 + 1;
  const fifoDepth = 2 ** Math.ceil(Math.log2(Math.max(2, 3 * columns)));
  const jobs: Job[] = [
    { key: "comp-tiler", what: "InputTiler of the composition layer", params: COMPOSITION_SHAPE, build: () => elaborate(InputTiler, { layer }) },
    { key: "comp-fft", what: "Fft2dForward of the composition layer", params: { K, T, dataBits: f.fftBits, twiddleFrac: f.twiddleFrac }, build: () => elaborate(Fft2dForward, { K, T, dataBits: f.fftBits, twiddleFrac: f.twiddleFrac }) },
    { key: "comp-fifo", what: "Queue between FFT and PE array", params: { width: 2 * K * f.fftBits + 1, depth: fifoDepth }, build: () => elaborate(Queue, { type: UInt(2 * K * f.fftBits + 1), depth: fifoDepth }) },
    { key: "comp-pe", what: "one Pe of the composition layer", params: { K, xBits: s.xBits, weightBits: s.weightBits, accBits: s.accBits, oLoc: s.oLoc }, build: () => elaborate(Pe, { K, xBits: s.xBits, weightBits: s.weightBits, accBits: s.accBits, oLoc: s.oLoc }) },
  ];
  for (let po = 0; po < pOut; po++) {
    for (let pi = 0; pi < pIn; pi++) {
      const words = s.rom[po]![pi]!.map(({ useful, first, oLocal, index, re, im }) => ({ useful, first, oLocal, index, re, im }));
      jobs.push({ key: `comp-rom-${po}-${pi}`, what: `KernelRom of PE (${po}, ${pi})`, params: { oBits: s.oBits, indexBits: s.indexBits, weightBits: s.weightBits, depth: words.length }, build: () => elaborate(KernelRom, { oBits: s.oBits, indexBits: s.indexBits, weightBits: s.weightBits, words }) });
    }
  }
  jobs.push(
    { key: "comp-oaa", what: "OverlapAdd of the composition layer", params: COMPOSITION_SHAPE, build: () => elaborate(OverlapAdd, { layer }) },
    { key: "comp-whole", what: "whole Spec2Layer of the composition layer (8 PEs)", params: COMPOSITION_SHAPE, build: () => elaborate(Spec2Layer, { layer, pOut, pIn }) },
  );
  return jobs;
}

export function allJobs(): Job[] {
  const jobs: Job[] = [];
  for (const K of [8, 16]) {
    jobs.push({ key: `fft-K${K}`, what: `Fft2dForward K=${K} T=${K - 2}`, params: { K, T: K - 2, dataBits: 16, twiddleFrac: 14 }, build: () => elaborate(Fft2dForward, { K, T: K - 2, dataBits: 16, twiddleFrac: 14 }) });
    const ib = 16 + 2 * Math.log2(K);
    jobs.push({ key: `ifft-K${K}`, what: `Ifft2d K=${K}, ${ib} bits`, params: { K, dataBits: ib, twiddleFrac: 14 }, build: () => elaborate(Ifft2d, { K, dataBits: ib, twiddleFrac: 14 }) });
    for (const oLoc of PE_OLOCS) {
      const p = { K, xBits: 16, weightBits: 16, accBits: PE_ACC_BITS, oLoc };
      jobs.push({ key: `pe-K${K}-o${oLoc}`, what: `Pe K=${K} oLoc=${oLoc} accBits=${PE_ACC_BITS}`, params: p, build: () => elaborate(Pe, p) });
    }
  }
  return [...jobs, ...compositionJobs()];
}

function keep(r: ResourceReport): Resources {
  const { lut, ff, dsp, bram18, bram36, lutram, lutramLuts, srl, carry4, muxf } = r;
  return { lut, ff, dsp, bram18, bram36, lutram, lutramLuts, srl, carry4, muxf };
}

const USAGE = `usage: npx tsx bench/synth-blocks.ts [--only KEY,KEY...] [--force] [--list] [--wasm]

Synthesises the SPEC2 building blocks with Yosys (synth_xilinx) into bench/results/synth-cache.json.
Entries already there are skipped unless --force; each is written as soon as it is done.

  --only KEYS    only these blocks, in this order (see --list)
  --force        measure again even when cached
  --list         print the blocks and run nothing
  --wasm         the WebAssembly Yosys instead of the native one (tens of minutes)
  -h, --help     this text`;

async function main(): Promise<void> {
  const cl = parseCommandLine({ usage: USAGE, options: { only: { type: "string" }, force: { type: "boolean" }, list: { type: "boolean" }, wasm: { type: "boolean" } } });
  if (!cl) return;
  const force = cl.values.force === true;
  const onlyText = stringOption(cl, "only");
  const only = onlyText !== undefined ? onlyText.split(",") : undefined;
  const all = allJobs();
  const unknown = (only ?? []).filter((k) => !all.some((j) => j.key === k));
  if (unknown.length > 0) throw new UsageError(`--only: unknown block ${unknown.join(", ")} (see --list)`, USAGE);
  // --only keeps the order given on the command line
  const jobs = only ? only.map((k) => all.find((j) => j.key === k)!) : all;
  if (cl.values.list === true) {
    for (const j of jobs) console.log(`${j.key}\t${j.what}`);
    return;
  }
  let cache = readCache();
  for (const [n, j] of jobs.entries()) {
    cache = readCache(); // another run may have measured it meanwhile
    if (!force && cache.entries[j.key]) {
      process.stderr.write(`[${n + 1}/${jobs.length}] ${j.key}: cached\n`);
      continue;
    }
    const t0 = Date.now();
    process.stderr.write(`[${n + 1}/${jobs.length}] ${j.key}: ${j.what} ...\n`);
    const r = await synthesize(j.build(), { target: "xilinx7", native: cl.values.wasm !== true });
    process.stderr.write(`[${n + 1}/${jobs.length}] ${j.key}: ${r.lut} LUT, ${r.ff} FF, ${r.dsp} DSP, ${r.bram36} RAMB36 + ${r.bram18} RAMB18, ${r.lutramLuts} LUT-RAM LUTs (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
    cache = readCache(); // another run may have written meanwhile
    cache = { command: SYNTH_COMMAND, target: "xilinx7", yosys: r.yosys, entries: { ...cache.entries, [j.key]: { what: j.what, params: j.params, resources: keep(r), elapsedMs: r.elapsedMs } } };
    const sorted = Object.fromEntries(Object.entries(cache.entries).sort(([a], [b]) => a.localeCompare(b)));
    writeFileAtomic(CACHE_FILE, JSON.stringify({ ...cache, entries: sorted }, null, 1) + "\n");
  }
}

if (isMain(import.meta.url)) runMain("synth-blocks", main, (e) => (e instanceof YosysError ? 1 : undefined));
