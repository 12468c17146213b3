/**
 * The output path after the IFFT: BandOverlapAdd -> PoolStage in one design (the overlap-add's
 * groups are PoolStage's input as they are). Three real layers (random pruned weights, pooled and
 * not, ReLU and not) run one after the other through one build, on the JS backend and Icarus; the
 * IFFT blocks are goldenConvLayer's (its trace), the map rebuilt from the output groups is its
 * output, 2x2 max-pooled (floor) here when the layer pools.
 */
import { describe, expect, it } from "vitest";
import { Bool, Bundle, Decoupled, Input, Output, SInt, Vec, connect, defineModule, elaborate } from "../../../hdl/core";
import { Valid } from "../../../hdl/lib";
import { BandOverlapAdd, biasWriteType, groupParams, overlapAddCommand, overlapAddCommandType, type BandOverlapAddParams, type OverlapAddCommand } from "../../../hdl/spec2/engine/band-overlap-add";
import { PoolStage, outputGroupType } from "../../../hdl/spec2/engine/pool-stage";
import { randomLayer } from "../../../hdl/spec2/perf/random-layer";
import { makePlan } from "../../../spectral/conv";
import { goldenConvLayer, quantizeActivations, type FixedLayer, type TileTrace } from "../../../spectral/fixed";
import { simulate, type Backend, type Sample, type Stimulus } from "../../../sim";
import { rng } from "../../helpers/rng";

const K = 8;
const k = 3;
const T = K - k + 1;
const P: BandOverlapAddParams = { K, k, ifftBits: 22, actBits: 16, maxChannels: 4, maxWidth: 20, maxHeight: 16 };

const OutputPath = defineModule("OutputPath", () => {
  const cmd = Input(Decoupled(overlapAddCommandType(P)));
  const bias = Input(Decoupled(biasWriteType(P)));
  const inp = Input(Bundle({ valid: Bool(), rows: Vec(2, Vec(K, SInt(P.ifftBits))) }), { name: "in" });
  const pool = Input(Bool());
  const out = Output(Valid(outputGroupType(groupParams(P))));
  const overrun = Output(Bool());
  const oaa = BandOverlapAdd.instance(P);
  const pooling = PoolStage.instance(groupParams(P));
  connect(oaa.cmd, cmd);
  connect(oaa.bias, bias);
  connect(oaa.in, inp);
  connect(pooling.in, oaa.out);
  pooling.pool.assign(pool);
  connect(out, pooling.out);
  overrun.assign(oaa.overrun);
  return { cmd, bias, in: inp, pool, out, overrun };
});

interface LayerRun {
  readonly command: OverlapAddCommand;
  readonly biases: readonly number[];
  readonly beats: readonly number[][][];
  readonly pool: boolean;
  /** the expected map [c][rows][cols] */
  readonly map: readonly (readonly number[])[][];
  /** clocks a block must take for emission to keep up (the longest band / blocks per tile row) */
  readonly perBlock: number;
}

function layerRun(layer: FixedLayer, pool: boolean, r: () => number): LayerRun {
  const pl = makePlan(layer);
  const x = quantizeActivations(Float64Array.from({ length: layer.cin * layer.h * layer.w }, () => r() * 2 - 1), layer.formats.inFrac, layer.formats.actBits);
  const traces: TileTrace[] = [];
  const y = goldenConvLayer(layer, x, (t) => traces.push(t));
  expect(traces.length).toBe(pl.tilesX * pl.tilesY);
  const beats = traces.flatMap((t) => t.blocks.flatMap((b) => Array.from({ length: K / 2 }, (_, j) => [0, 1].map((s) => Array.from(b.subarray((2 * j + s) * K, (2 * j + s + 1) * K))))));
  const at = (o: number, a: number, b: number): number => y[(o * pl.ho + a) * pl.wo + b]!;
  const map = Array.from({ length: pl.cout }, (_, o) =>
    pool
      ? Array.from({ length: Math.floor(pl.ho / 2) }, (_, a) => Array.from({ length: Math.floor(pl.wo / 2) }, (_, b) => Math.max(at(o, 2 * a, 2 * b), at(o, 2 * a, 2 * b + 1), at(o, 2 * a + 1, 2 * b), at(o, 2 * a + 1, 2 * b + 1))))
      : Array.from({ length: pl.ho }, (_, a) => Array.from({ length: pl.wo }, (_, b) => at(o, a, b))),
  );
  const command = overlapAddCommand(P, { channels: pl.cout, wo: pl.wo, ho: pl.ho, relu: layer.relu });
  const emit = pl.cout * T * Math.ceil(pl.wo / K); // at least the longest band's emission
  return { command, biases: layer.bias, beats, pool, map, perBlock: Math.max(K / 2, Math.ceil(emit / (pl.tilesX * pl.cout))) };
}

const idle = (pool: boolean): Stimulus => ({ cmd_valid: 0, bias_valid: 0, in_valid: 0, pool: pool ? 1 : 0 });

/** Each layer: biases, command, beats paced for the longer of its and the previous layer's emission; the tail waits out the last band. */
function schedule(runs: readonly LayerRun[]): { stim: Stimulus[]; ends: number[] } {
  const stim: Stimulus[] = [];
  const ends: number[] = []; // the clock after which a layer's groups are all out
  let prevPerBlock = 0;
  runs.forEach((run, q) => {
    // a layer's last groups come out while the next layer's first band accumulates: its pooling
    // flag must hold until then, so the next layer starts only once they are out
    if (q > 0) for (let i = 0; i < prevPerBlock * runs[q - 1]!.command.tilesX! * runs[q - 1]!.command.channels! + 8; i++) stim.push(idle(runs[q - 1]!.pool));
    if (q > 0) ends.push(stim.length);
    run.biases.forEach((data, addr) => stim.push({ ...idle(run.pool), bias_valid: 1, bias_bits_addr: addr, bias_bits_data: data }));
    stim.push({ ...idle(run.pool), cmd_valid: 1, ...Object.fromEntries(Object.entries(run.command).map(([f, v]) => [`cmd_bits_${f}`, v])) });
    run.beats.forEach((beat, n) => {
      if (n % (K / 2) === 0) for (let i = run.perBlock - K / 2; i > 0; i--) stim.push(idle(run.pool));
      const st: Record<string, number> = { cmd_valid: 0, bias_valid: 0, in_valid: 1, pool: run.pool ? 1 : 0 };
      beat.forEach((row, s) => row.forEach((v, i) => (st[`in_rows_${s}_${i}`] = v)));
      stim.push(st);
    });
    prevPerBlock = run.perBlock;
  });
  const last = runs.at(-1)!;
  for (let i = 0; i < last.perBlock * last.command.tilesX! * last.command.channels! + 8; i++) stim.push(idle(last.pool));
  ends.push(stim.length);
  return { stim, ends };
}

/** The maps rebuilt from the output groups of clocks from..to-1; a word written twice is an error. */
function rebuild(samples: readonly Sample[], from: number, to: number, like: readonly (readonly number[])[][]): (number | undefined)[][][] {
  const got = like.map((rows) => rows.map((row) => row.map((): number | undefined => undefined)));
  for (let c = from; c < to; c++) {
    const s = samples[c]!;
    if (s.out_valid !== 1) continue;
    const [ch, row, col, mask] = [s.out_bits_channel, s.out_bits_row, s.out_bits_col, s.out_bits_mask].map(Number) as [number, number, number, number];
    for (let i = 0; i < K; i++)
      if ((mask >> i) & 1) {
        expect(got[ch]![row]![col + i], `channel ${ch} row ${row} column ${col + i} written once`).toBeUndefined();
        got[ch]![row]![col + i] = Number(s[`out_bits_values_${i}`]);
      }
  }
  return got;
}

const layerOf = (cin: number, cout: number, h: number, w: number, p: number, relu: boolean, seed: number): FixedLayer =>
  randomLayer({ cin, cout, h, w, k, p, K, density: 0.5, pOut: 1, pIn: 1, relu }, seed).acc.layer;

async function run(backend: Backend): Promise<void> {
  const r = rng(5);
  const runs = [
    layerRun(layerOf(2, 3, 12, 13, 1, true, 1), true, r),
    layerRun(layerOf(3, 4, 9, 20, 1, false, 2), false, r),
    layerRun(layerOf(1, 2, 16, 7, 0, true, 3), true, r),
  ];
  const sim = await simulate(elaborate(OutputPath, {}), { backend });
  try {
    const { stim, ends } = schedule(runs);
    // PoolStage's output registers have no reset value: X until its first group (as in its own test)
    const samples = await sim.batch(stim, { resetCycles: 1, allowX: true });
    expect(samples.at(-1)!.overrun).toBe(0);
    let from = 0;
    runs.forEach((lr, q) => {
      expect(rebuild(samples, from, ends[q]!, lr.map), `layer ${q}`).toEqual(lr.map);
      from = ends[q]!;
    });
  } finally {
    await sim.close();
  }
}

describe("output path: BandOverlapAdd -> PoolStage", () => {
  for (const backend of ["js", "iverilog"] as const) {
    it(`${backend}: three real layers (pooled and not) one after the other equal goldenConvLayer's output, pooled here`, async () => {
      await run(backend);
    }, 120_000);
  }
});
