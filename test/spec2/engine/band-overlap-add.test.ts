/**
 * BandOverlapAdd: one build (K = 8, k = 3, lane 1 of 2) runs images of five layer shapes one after
 * the other (channel counts 1-4, widths 1-21, heights 1-16, ReLU on and off, each with its own
 * biases, some at the range ends so outputs saturate), on the JS backend and Icarus. The input
 * blocks are random; the expected groups come from the definition written here: the sums of the
 * K x K blocks at stride T, cropped by k - 1, plus bias, ReLU, saturation, in PoolStage's order.
 * The biases of each image are written before its command, while the previous image still emits;
 * the test checks every bias write and command was taken on its clock, and the first group's
 * latency; one image's successor's first bias is offered early and must wait (ready low) until
 * the image before has emitted its last band from that bias bank. Then, at one beat per clock, a map where consecutive beats add to the same words (the
 * read-add-write forwarding) comes out exact, and a wide map, whose emission cannot keep up,
 * latches overrun. Two more builds with the default formats (k 3, lane 1 of 2; k 5, T = 4) run
 * real layers (random pruned weights) one after the other: the blocks are goldenConvLayer's IFFT
 * blocks (its trace), the groups its output.
 */
import { describe, expect, it } from "vitest";
import { elaborate } from "../../../hdl/core";
import { BAND_OVERLAP_ADD_LATENCY, BandOverlapAdd, overlapAddCommand, type BandOverlapAddParams } from "../../../hdl/spec2/engine/band-overlap-add";
import { makePlan } from "../../../spectral/conv";
import { goldenConvLayer, quantizeActivations, type FixedLayer, type TileTrace } from "../../../spectral/fixed";
import { randomLayer } from "../../../hdl/spec2/perf/random-layer";
import { simulate, type Backend, type Sample, type Stimulus } from "../../../sim";
import { randInt, rng } from "../../helpers/rng";
import { expectCleanVerilog } from "../../helpers/verilog-tools";

const K = 8;
const k = 3;
const T = K - k + 1;
const P: BandOverlapAddParams = { K, k, ifftBits: 16, actBits: 12, maxChannels: 4, maxWidth: 24, maxHeight: 16, lanes: 2, lane: 1 };

interface Shape {
  readonly channels: number;
  readonly wo: number;
  readonly ho: number;
  readonly relu: boolean;
}

interface Group {
  readonly channel: number;
  readonly row: number;
  readonly col: number;
  readonly mask: number;
  readonly values: readonly number[];
  readonly last: number;
  /** the image's command's pool flag, passed through */
  readonly pool: number;
}

interface Image {
  readonly shape: Shape;
  readonly command: Record<string, number>;
  readonly biases: readonly number[];
  /** beats: [row 2j, row 2j + 1] */
  readonly beats: readonly (readonly (readonly number[])[])[];
  readonly groups: readonly Group[];
  /** clocks of the longest band emission */
  readonly emit: number;
}

const clamp = (v: number, bits: number): number => Math.max(-(2 ** (bits - 1)), Math.min(2 ** (bits - 1) - 1, v));

/** Random blocks of one image and the groups the overlap-add of them must give. */
function image(s: Shape, r: () => number): Image {
  const tilesX = Math.ceil((s.wo + k - 1) / T);
  const tilesY = Math.ceil((s.ho + k - 1) / T);
  const segments = Math.ceil(((tilesX - 1) * T + K) / K);
  const actMax = 2 ** (P.actBits - 1);
  const biases = Array.from({ length: s.channels }, (_, m) => [randInt(r, -200, 200), actMax - 1, -actMax][m % 3]!);
  // mostly small values (the sums stay in range), a few large ones (they saturate)
  const word = (): number => (r() < 0.05 ? randInt(r, -(2 ** 15), 2 ** 15 - 1) : randInt(r, -600, 600));
  const blocks = Array.from({ length: tilesY }, () => Array.from({ length: tilesX }, () => Array.from({ length: s.channels }, () => Array.from({ length: K }, () => Array.from({ length: K }, word)))));
  const beats: number[][][] = [];
  for (let ty = 0; ty < tilesY; ty++)
    for (let tx = 0; tx < tilesX; tx++)
      for (let m = 0; m < s.channels; m++)
        for (let j = 0; j < K / 2; j++) beats.push([blocks[ty]![tx]![m]![2 * j]!, blocks[ty]![tx]![m]![2 * j + 1]!]);
  // Z[m][y][x]: every block (ty, tx) adds its word (a, b) at (ty T + a, tx T + b)
  const z = (m: number, y: number, x: number): number => {
    let sum = 0;
    for (let ty = 0; ty < tilesY; ty++)
      for (let tx = 0; tx < tilesX; tx++) {
        const a = y - ty * T;
        const b = x - tx * T;
        if (a >= 0 && a < K && b >= 0 && b < K) sum += blocks[ty]![tx]![m]![a]![b]!;
      }
    return sum;
  };
  const out = (m: number, row: number, col: number): number => {
    const v = z(m, row + k - 1, col + k - 1) + biases[m]!;
    return clamp(s.relu && v < 0 ? 0 : v, P.actBits);
  };
  const groups: Group[] = [];
  let emit = 0;
  for (let ty = 0; ty < tilesY; ty++) {
    let clocks = 0;
    for (let m = 0; m < s.channels; m++)
      for (let a = 0; a < T; a++) {
        const row = ty * T + a - (k - 1);
        if (row < 0 || row >= s.ho) {
          clocks++;
          continue;
        }
        for (let col = 0; col < s.wo; col += K) {
          clocks++;
          const n = Math.min(K, s.wo - col);
          const last = ty === tilesY - 1 && m === s.channels - 1 && row === s.ho - 1 && col + K >= s.wo ? 1 : 0;
          groups.push({ channel: P.lane! + m * P.lanes!, row, col, mask: 2 ** n - 1, values: Array.from({ length: K }, (_, i) => (i < n ? out(m, row, col + i) : 0)), last, pool: s.channels % 2 });
        }
      }
    emit = Math.max(emit, clocks);
  }
  const command = { channels: s.channels, tilesX, tilesY, segments, wo: s.wo, ho: s.ho, relu: s.relu ? 1 : 0, pool: s.channels % 2 };
  return { shape: s, command, biases, beats, groups, emit };
}

const idle = (): Stimulus => ({ cmd_valid: 0, bias_valid: 0, in_valid: 0 });

/**
 * The images one after the other: biases (one per clock), the command, the beats. With `paced`,
 * each block takes enough clocks that a band's emission (this image's, or the previous image's
 * last) ends before the next band is in, plus random gaps; without, one beat per clock.
 */
function schedule(images: readonly Image[], r: () => number, paced: boolean, early = -1): { stim: Stimulus[]; takes: number[]; firstBandEnd: number; held: number[] } {
  const stim: Stimulus[] = [];
  const held: number[] = []; // clocks of the early bias write
  let firstBandEnd = -1; // the clock of the first image's first band's last beat
  const takes: number[] = []; // clocks on which a bias write or the command must be taken
  let prevEmit = 0;
  images.forEach((im, q) => {
    im.biases.forEach((data, addr) => {
      takes.push(stim.length);
      stim.push({ ...idle(), bias_valid: 1, bias_bits_addr: addr, bias_bits_data: data });
    });
    takes.push(stim.length);
    stim.push({ ...idle(), cmd_valid: 1, ...Object.fromEntries(Object.entries(im.command).map(([f, v]) => [`cmd_bits_${f}`, v])) });
    const tileRowBlocks = im.command.tilesX! * im.shape.channels;
    const perBlock = paced ? Math.max(K / 2, Math.ceil(Math.max(im.emit, prevEmit) / tileRowBlocks)) : K / 2;
    im.beats.forEach((beat, n) => {
      // a block's extra clocks come before it: the band's last block counts in full
      const extra = n % (K / 2) === 0 ? perBlock - K / 2 : 0;
      const gaps = paced && r() < 0.1 ? randInt(r, 1, 3) : 0;
      for (let i = extra + gaps; i > 0; i--) stim.push(idle());
      const st: Record<string, number> = { cmd_valid: 0, bias_valid: 0, in_valid: 1 };
      beat.forEach((row, s) => row.forEach((v, i) => (st[`in_rows_${s}_${i}`] = v)));
      stim.push(st);
      if (firstBandEnd < 0 && n === im.command.tilesX! * im.shape.channels * (K / 2) - 1) firstBandEnd = stim.length - 1;
    });
    // image `early`: the next image's first bias offered from the clock after the command on, for
    // longer than the previous image still emits from the bank it goes to (it waits for ready)
    if (q === early) {
      for (let c = takes.at(-1)! + 1; c <= takes.at(-1)! + prevEmit + 4; c++) {
        stim[c] = { ...stim[c]!, bias_valid: 1, bias_bits_addr: 0, bias_bits_data: images[q + 1]!.biases[0]! };
        held.push(c);
      }
    }
    prevEmit = im.emit;
  });
  for (let i = 0; i < prevEmit + 8; i++) stim.push(idle());
  return { stim, takes, firstBandEnd, held };
}

function groupsOf(samples: readonly Sample[]): Group[] {
  return samples
    .filter((s) => s.out_valid === 1)
    .map((s) => ({
      channel: Number(s.out_bits_channel), row: Number(s.out_bits_row), col: Number(s.out_bits_col), mask: Number(s.out_bits_mask),
      values: Array.from({ length: K }, (_, i) => Number(s[`out_bits_values_${i}`])), last: Number(s.last), pool: Number(s.pool),
    }));
}

const SHAPES: Shape[] = [
  { channels: 3, wo: 13, ho: 11, relu: true },
  { channels: 1, wo: 21, ho: 16, relu: false },
  { channels: 4, wo: 6, ho: 7, relu: true },
  { channels: 2, wo: 1, ho: 1, relu: false },
  { channels: 2, wo: 24, ho: 5, relu: false },
];

async function run(backend: Backend, seed: number): Promise<void> {
  const r = rng(seed);
  const design = elaborate(BandOverlapAdd, P);
  const sim = await simulate(design, { backend });
  try {
    // every shape, then the first two again with new blocks and biases
    const images = [...SHAPES, SHAPES[0]!, SHAPES[1]!].map((s) => image(s, r));
    const { stim, takes, firstBandEnd, held } = schedule(images, r, true, 2);
    const samples = await sim.batch(stim, { resetCycles: 1 });
    for (const c of takes) expect({ c, ready: stim[c]!.cmd_valid ? samples[c]!.cmd_ready : samples[c]!.bias_ready }).toEqual({ c, ready: 1 });
    // the early bias write waits while image 1 (one channel, 21 wide) still emits from its bank
    const ready = held.map((c) => Number(samples[c]!.bias_ready));
    const firstReady = ready.indexOf(1);
    expect({ waits: firstReady > 0, then: ready.slice(firstReady) }).toEqual({ waits: true, then: ready.slice(firstReady).map(() => 1) });
    const got = groupsOf(samples);
    // band 0's rows 0 .. k - 2 are above the output and take a clock each
    expect(samples.findIndex((x) => x.out_valid === 1)).toBe(firstBandEnd + BAND_OVERLAP_ADD_LATENCY + k - 1);
    const want = images.flatMap((im) => im.groups);
    // the biases at the range ends make some outputs saturate both ways
    const words = want.flatMap((g) => g.values);
    expect([words.includes(2 ** (P.actBits - 1) - 1), words.includes(-(2 ** (P.actBits - 1)))]).toEqual([true, true]);
    expect(got.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) if (JSON.stringify(got[i]) !== JSON.stringify(want[i])) expect({ i, got: got[i] }).toEqual({ i, got: want[i] });
    expect(samples.at(-1)!.overrun).toBe(0);

    // one beat per clock, one channel, two tiles across: a tile row's first beat adds to the words
    // the previous beat (the last tile row's last) writes; emission (6 per band) keeps up with 8 beats
    const full = [image({ channels: 1, wo: 6, ho: 12, relu: true }, r)];
    const fullSamples = await sim.batch(schedule(full, r, false).stim, { resetCycles: 1 });
    expect(groupsOf(fullSamples)).toEqual(full[0]!.groups);
    expect(fullSamples.at(-1)!.overrun).toBe(0);

    // a wide map at one beat per clock: a band's emission (6 x 3 x 3 = 54) outlasts the next band's input (4 x 3 x 4 = 48)
    const wide = [image({ channels: 3, wo: 17, ho: 16, relu: false }, r)];
    expect(wide[0]!.emit).toBeGreaterThan(wide[0]!.command.tilesX! * 3 * (K / 2));
    const fast = await sim.batch(schedule(wide, r, false).stim, { resetCycles: 1 });
    expect(fast.at(-1)!.overrun).toBe(1);
  } finally {
    await sim.close();
  }
}

/** The lane's image of a real layer: its IFFT blocks from goldenConvLayer's trace, its groups from the golden output. */
function goldenImage(p: BandOverlapAddParams, layer: FixedLayer, r: () => number): Image {
  const lanes = p.lanes ?? 1;
  const lane = p.lane ?? 0;
  const pl = makePlan(layer);
  const { k: kp, T: Tp } = pl;
  const { ho, wo, tilesX, tilesY, cout } = pl;
  const x = quantizeActivations(Float64Array.from({ length: layer.cin * layer.h * layer.w }, () => r() * 2 - 1), layer.formats.inFrac, layer.formats.actBits);
  const traces: TileTrace[] = [];
  const y = goldenConvLayer(layer, x, (t) => traces.push(t));
  expect(traces.length).toBe(tilesX * tilesY); // every tile reaches the output
  const mine = Array.from({ length: Math.ceil((cout - lane) / lanes) }, (_, m) => lane + m * lanes);
  const beats = traces.flatMap((t) => mine.flatMap((o) => Array.from({ length: K / 2 }, (_, j) => [0, 1].map((s) => Array.from(t.blocks[o]!.subarray((2 * j + s) * K, (2 * j + s + 1) * K))))));
  const groups: Group[] = [];
  let emit = 0;
  for (let ty = 0; ty < tilesY; ty++) {
    let clocks = 0;
    for (const o of mine)
      for (let a = 0; a < Tp; a++) {
        const row = ty * Tp + a - (kp - 1);
        if (row < 0 || row >= ho) {
          clocks++;
          continue;
        }
        for (let col = 0; col < wo; col += K) {
          clocks++;
          const n = Math.min(K, wo - col);
          const last = ty === tilesY - 1 && o === mine.at(-1) && row === ho - 1 && col + K >= wo ? 1 : 0;
          groups.push({ channel: o, row, col, mask: 2 ** n - 1, values: Array.from({ length: K }, (_, i) => (i < n ? y[(o * ho + row) * wo + col + i]! : 0)), last, pool: 0 });
        }
      }
    emit = Math.max(emit, clocks);
  }
  const segments = Math.ceil(((tilesX - 1) * Tp + K) / K);
  const command = { channels: mine.length, tilesX, tilesY, segments, wo, ho, relu: layer.relu ? 1 : 0, pool: 0 };
  return { shape: { channels: mine.length, wo, ho, relu: layer.relu }, command, biases: mine.map((o) => layer.bias[o]!), beats, groups, emit };
}

describe("BandOverlapAdd", () => {
  for (const backend of ["js", "iverilog"] as const) {
    it(`${backend}: seven images of five layer shapes through one build equal the overlap-add + bias + ReLU + saturation computed here; one beat per clock; overrun at too fast an input`, async () => {
      await run(backend, 7);
    }, 120_000);
  }

  // real layers, default formats (ifftBits 22, actBits 16); some biases at the range ends
  const layerOf = (kernel: number, cin: number, cout: number, h: number, w: number, p: number, relu: boolean, seed: number): FixedLayer => {
    const layer = randomLayer({ cin, cout, h, w, k: kernel, p, K, density: 0.5, pOut: 1, pIn: 1, relu }, seed).acc.layer;
    return { ...layer, bias: layer.bias.map((b, o) => [b, b, 32000, -32000][o % 4]!) };
  };
  const GOLDEN_CASES: { name: string; params: BandOverlapAddParams; layers: () => FixedLayer[] }[] = [
    {
      name: "k 3, lane 1 of 2, three layers",
      params: { ...P, ifftBits: 22, actBits: 16 },
      layers: () => [layerOf(3, 2, 7, 10, 13, 1, true, 1), layerOf(3, 3, 8, 16, 22, 0, false, 2), layerOf(3, 1, 3, 9, 5, 1, true, 3)],
    },
    {
      name: "k 5 (T = 4), LeNet's conv1 and conv2 shapes",
      params: { K, k: 5, ifftBits: 22, actBits: 16, maxChannels: 16, maxWidth: 24, maxHeight: 24 },
      layers: () => [layerOf(5, 1, 6, 28, 28, 0, true, 4), layerOf(5, 6, 16, 12, 12, 0, false, 5)],
    },
  ];
  for (const backend of ["js", "iverilog"] as const)
    for (const c of GOLDEN_CASES)
      it(`${backend}: ${c.name} of real layers, one after the other, equal goldenConvLayer`, async () => {
        const r = rng(11);
        const images = c.layers().map((l) => goldenImage(c.params, l, r));
        const sim = await simulate(elaborate(BandOverlapAdd, c.params), { backend });
        try {
          const { stim, takes } = schedule(images, r, true);
          const samples = await sim.batch(stim, { resetCycles: 1 });
          for (const t of takes) expect({ t, ready: stim[t]!.cmd_valid ? samples[t]!.cmd_ready : samples[t]!.bias_ready }).toEqual({ t, ready: 1 });
          const got = groupsOf(samples);
          const want = images.flatMap((im) => im.groups);
          expect(got.length).toBe(want.length);
          for (let i = 0; i < want.length; i++) if (JSON.stringify(got[i]) !== JSON.stringify(want[i])) expect({ i, got: got[i] }).toEqual({ i, got: want[i] });
          expect(samples.at(-1)!.overrun).toBe(0);
        } finally {
          await sim.close();
        }
      }, 120_000);

  it("passes iverilog -Wall, verilator --lint-only -Wall and yosys check", async () => {
    const d = elaborate(BandOverlapAdd, P);
    await expectCleanVerilog(d.verilog, d.top);
  }, 120_000);

  it("a command whose channels do not fit the capacity stops the simulation with the assertion's message", async () => {
    const small = { ...P, capacity: 2 * K * 4 }; // two channels of the widest map (4 segments)
    const im = image({ channels: 3, wo: 24, ho: 5, relu: false }, rng(3));
    const sim = await simulate(elaborate(BandOverlapAdd, small), { backend: "js" });
    try {
      await expect(sim.batch(schedule([im], rng(3), false).stim, { resetCycles: 1 })).rejects.toThrow(
        /assertion failed at cycle \d+: cmd: tilesX, tilesY, segments >= 1 and channels K segments words fit a bank \(capacity\)/,
      );
    } finally {
      await sim.close();
    }
  });

  it("overlapAddCommand: the tiles of the golden model's plan; every field out of range named", () => {
    for (const [h, w, p] of [[10, 13, 1], [16, 22, 0], [1, 1, 1], [14, 20, 1]] as const) {
      const pl = makePlan({ cin: 1, cout: 1, h, w, k, p, K });
      expect(overlapAddCommand(P, { channels: 2, wo: pl.wo, ho: pl.ho, relu: true })).toEqual({
        channels: 2, tilesX: pl.tilesX, tilesY: pl.tilesY, segments: Math.ceil(((pl.tilesX - 1) * T + K) / K), wo: pl.wo, ho: pl.ho, relu: 1, pool: 0,
      });
    }
    expect(() => overlapAddCommand(P, { channels: 5, wo: 25, ho: 0, relu: false })).toThrow(
      "overlap-add command: channels = 5 (1..4), wo = 25 (1..24), ho = 0 (1..16), channels x segments = 5 x 4 (at most capacity / K = 16)",
    );
  });

  it("names every parameter out of range", () => {
    expect(() => elaborate(BandOverlapAdd, { ...P, K: 6, k: 2 })).toThrow(/BandOverlapAdd: K must be a power of two in 4\.\.64, got 6; k must be odd and in 1\.\.K-1 \(K = 6\), got 2$/);
    expect(() => elaborate(BandOverlapAdd, { ...P, capacity: 10 })).toThrow(/BandOverlapAdd: capacity = 10 must be a multiple of K in K maxSegments = 32\.\.2\^24/);
  });
});
