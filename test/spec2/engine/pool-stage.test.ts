/**
 * PoolStage on both simulators: overlap-add groups of random maps (odd and even sizes, in the
 * unit's emission order, with idle clocks) pooled 2x2; the pooled map rebuilt from the output
 * groups equals the 2x2 max of the input map computed here; without `pool` the groups pass
 * unchanged one clock later.
 */
import { describe, expect, it } from "vitest";
import { elaborate } from "../../../hdl/core";
import { PoolStage } from "../../../hdl/spec2/engine/pool-stage";
import { simulate, type Backend, type Sample, type Stimulus } from "../../../sim";
import { rng } from "../../helpers/rng";
import { expectCleanVerilog } from "../../helpers/verilog-tools";

const K = 8;
const T = 6;
const P = { K, actBits: 16, maxWidth: 40, maxHeight: 40, maxChannels: 8 };

interface Group {
  channel: number;
  row: number;
  col: number;
  mask: number;
  values: number[];
}

/** The groups of a [c][ho][wo] map in the overlap-add order: bands of T rows > channels > rows > column groups. */
function emissionOrder(map: number[][][], ho: number, wo: number): Group[] {
  const groups: Group[] = [];
  for (let band = 0; band < ho; band += T)
    for (let ch = 0; ch < map.length; ch++)
      for (let row = band; row < Math.min(band + T, ho); row++)
        for (let col = 0; col < wo; col += K) {
          const n = Math.min(K, wo - col);
          groups.push({ channel: ch, row, col, mask: 2 ** n - 1, values: Array.from({ length: K }, (_, i) => (i < n ? map[ch]![row]![col + i]! : 0)) });
        }
  return groups;
}

function stimulus(groups: readonly Group[], pool: number, r: () => number): Stimulus[] {
  const stim: Stimulus[] = [];
  for (const g of groups) {
    while (r() < 0.3) stim.push({ pool, in_valid: 0 });
    stim.push({ pool, in_valid: 1, in_bits_channel: g.channel, in_bits_row: g.row, in_bits_col: g.col, in_bits_mask: g.mask, ...Object.fromEntries(g.values.map((v, i) => [`in_bits_values_${i}`, v])) });
  }
  stim.push({ pool, in_valid: 0 }, { pool, in_valid: 0 });
  return stim;
}

const outGroups = (samples: readonly Sample[]): Group[] =>
  samples
    .filter((s) => s.out_valid === 1)
    .map((s) => ({ channel: Number(s.out_bits_channel), row: Number(s.out_bits_row), col: Number(s.out_bits_col), mask: Number(s.out_bits_mask), values: Array.from({ length: K }, (_, i) => Number(s[`out_bits_values_${i}`])) }));

async function run(backend: Backend, c: number, ho: number, wo: number, seed: number): Promise<void> {
  const r = rng(seed);
  const map = Array.from({ length: c }, () => Array.from({ length: ho }, () => Array.from({ length: wo }, () => Math.floor(r() * 65536) - 32768)));
  const groups = emissionOrder(map, ho, wo);
  const sim = await simulate(elaborate(PoolStage, P), { backend });
  try {
    // pooled: rebuild the pooled map from the groups
    const pooledOut = outGroups(await sim.batch(stimulus(groups, 1, r), { resetCycles: 1, allowX: true }));
    const got = Array.from({ length: c }, () => Array.from({ length: Math.floor(ho / 2) }, () => new Array<number | undefined>(Math.floor(wo / 2)).fill(undefined)));
    let words = 0;
    for (const g of pooledOut)
      for (let i = 0; i < K; i++)
        if ((g.mask >> i) & 1) {
          got[g.channel]![g.row]![g.col + i] = g.values[i]!;
          words++;
        }
    const want = map.map((m) => Array.from({ length: Math.floor(ho / 2) }, (_, y) => Array.from({ length: Math.floor(wo / 2) }, (_, x) => Math.max(m[2 * y]![2 * x]!, m[2 * y]![2 * x + 1]!, m[2 * y + 1]![2 * x]!, m[2 * y + 1]![2 * x + 1]!))));
    expect(got).toEqual(want);
    expect(words).toBe(c * Math.floor(ho / 2) * Math.floor(wo / 2));
    // not pooled: the same groups, in order
    const plain = outGroups(await sim.batch(stimulus(groups, 0, r), { allowX: true }));
    expect(plain).toEqual(groups);
  } finally {
    await sim.close();
  }
}

describe("PoolStage", () => {
  for (const backend of ["iverilog", "verilator"] as const) {
    it(`${backend}: 2x2 max-pooling of overlap-add groups, odd and even map sizes; pass-through without pool`, async () => {
      await run(backend, 3, 12, 20, 1);
      await run(backend, 2, 13, 17, 2);
      await run(backend, 1, 6, 8, 3);
    }, 120_000);
  }

  it("passes iverilog -Wall, verilator --lint-only -Wall and yosys check", async () => {
    const d = elaborate(PoolStage, P);
    await expectCleanVerilog(d.verilog, d.top);
  }, 120_000);
});
