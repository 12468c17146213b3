/**
 * The output path after the IFFT: BandOverlapAdd -> PoolStage in one design (the overlap-add's
 * groups are PoolStage's input as they are, its `pool` the overlap-add's, which switches with the
 * groups). Three real layers (random pruned weights, pooled and not, ReLU and not) run back to
 * back through one build, on the JS backend and Icarus; the
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
  const out = Output(Valid(outputGroupType(groupParams(P))));
  const overrun = Output(Bool());
  const oaa = BandOverlapAdd.instance(P);
  const pooling = PoolStage.instance(groupParams(P));
  connect(oaa.cmd, cmd);
  connect(oaa.bias, bias);
  connect(oaa.in, inp);
  connect(pooling.in, oaa.out);
  pooling.pool.assign(oaa.pool);
  connect(out, pooling.out);
  overrun.assign(oaa.overrun);
  return { cmd, bias, in: inp, out, overrun };
});

interface LayerRun {
  readonly command: OverlapAddCommand;
  readonly biases: readonly number[];
  readonly beats: readonly number[][][];
  readonly pool: boolean;
  /** the expected map [c][rows][cols] */
  readonly map: readonly (readonly number[])[][];
  /** at least the clocks of its longest band's emission */
  readonly emit: number;
  /** blocks per tile row */
  readonly rowBlocks: number;
  /** output groups: per channel, ceil(wo / K) per output row (pooled: per odd row) */
  readonly groups: number;
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
  const command = overlapAddCommand(P, { channels: pl.cout, wo: pl.wo, ho: pl.ho, relu: layer.relu, pool });
  const emit = pl.cout * T * Math.ceil(pl.wo / K); // at least the longest band's emission
  const groups = pl.cout * (pool ? Math.floor(pl.ho / 2) : pl.ho) * Math.ceil(pl.wo / K);
  return { command, biases: layer.bias, beats, pool, map, emit, rowBlocks: pl.tilesX * pl.cout, groups };
}

const idle = (): Stimulus => ({ cmd_valid: 0, bias_valid: 0, in_valid: 0 });

/** Each layer: biases, command, beats paced for the longer of its and the previous layer's band emission. */
function schedule(runs: readonly LayerRun[]): Stimulus[] {
  const stim: Stimulus[] = [];
  let prevEmit = 0;
  for (const run of runs) {
    run.biases.forEach((data, addr) => stim.push({ ...idle(), bias_valid: 1, bias_bits_addr: addr, bias_bits_data: data }));
    stim.push({ ...idle(), cmd_valid: 1, ...Object.fromEntries(Object.entries(run.command).map(([f, v]) => [`cmd_bits_${f}`, v])) });
    // a band's emission (this layer's, or the previous one's last) ends before the next band is in
    const perBlock = Math.max(K / 2, Math.ceil(Math.max(run.emit, prevEmit) / run.rowBlocks));
    run.beats.forEach((beat, n) => {
      if (n % (K / 2) === 0) for (let i = perBlock - K / 2; i > 0; i--) stim.push(idle());
      const st: Record<string, number> = { cmd_valid: 0, bias_valid: 0, in_valid: 1 };
      beat.forEach((row, s) => row.forEach((v, i) => (st[`in_rows_${s}_${i}`] = v)));
      stim.push(st);
    });
    prevEmit = run.emit;
  }
  for (let i = 0; i < prevEmit + 8; i++) stim.push(idle());
  return stim;
}

/** The map rebuilt from output groups; a word written twice is an error. */
function rebuild(groups: readonly Sample[], like: readonly (readonly number[])[][]): (number | undefined)[][][] {
  const got = like.map((rows) => rows.map((row) => row.map((): number | undefined => undefined)));
  for (const s of groups) {
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
    // PoolStage's output registers have no reset value: X until its first group (as in its own test)
    const samples = await sim.batch(schedule(runs), { resetCycles: 1, allowX: true });
    expect(samples.at(-1)!.overrun).toBe(0);
    const groups = samples.filter((x) => x.out_valid === 1);
    expect(groups.length).toBe(runs.reduce((n, lr) => n + lr.groups, 0));
    let from = 0;
    runs.forEach((lr, q) => {
      expect(rebuild(groups.slice(from, from + lr.groups), lr.map), `layer ${q}`).toEqual(lr.map);
      from += lr.groups;
    });
  } finally {
    await sim.close();
  }
}

describe("output path: BandOverlapAdd -> PoolStage", () => {
  for (const backend of ["js", "iverilog"] as const) {
    it(`${backend}: three real layers (pooled and not) back to back equal goldenConvLayer's output, pooled here`, async () => {
      await run(backend);
    }, 120_000);
  }
});
