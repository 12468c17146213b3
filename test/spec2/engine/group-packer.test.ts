/**
 * GroupPacker: pooled groups as PoolStage emits them (K/2 words at columns j K/2, one group per
 * K columns of the unpooled row, the last one possibly windowless) come out as groups of K words
 * at multiples of K; the words they carry, placed by column, are the input's, every column of
 * the row once, and a row's groups are ceil(width / K); unpooled groups pass unchanged. JS and
 * Icarus, with idle clocks between groups.
 */
import { describe, expect, it } from "vitest";
import { elaborate } from "../../../hdl/core";
import { GroupPacker } from "../../../hdl/spec2/engine/group-packer";
import { simulate, type Backend } from "../../../sim";
import { rng, randInt } from "../../helpers/rng";

const K = 8;
const P = { K, actBits: 16, maxWidth: 24, maxHeight: 8, maxChannels: 4 };

interface Group {
  readonly channel: number;
  readonly row: number;
  readonly col: number;
  readonly mask: number;
  readonly values: number[];
}

/** A pooled map's input groups: wo unpooled columns, so floor(wo / 2) pooled words a row. */
function pooledGroups(c: number, rows: number, wo: number, r: () => number): { groups: Group[]; words: Map<string, number> } {
  const width = Math.floor(wo / 2);
  const groups: Group[] = [];
  const words = new Map<string, number>();
  for (let ch = 0; ch < c; ch++)
    for (let row = 0; row < rows; row++)
      for (let g = 0; g < Math.ceil(wo / K); g++) {
        const col = (g * K) / 2;
        const values = Array.from({ length: K }, (_, i) => (i < K / 2 && col + i < width ? randInt(r, -32768, 32767) : 0));
        let mask = 0;
        values.forEach((v, i) => {
          if (i < K / 2 && col + i < width) {
            mask |= 1 << i;
            words.set(`${ch},${row},${col + i}`, v);
          }
        });
        groups.push({ channel: ch, row, col, mask, values });
      }
  return { groups, words };
}

async function run(backend: Backend, seed: number): Promise<void> {
  const r = rng(seed);
  const sim = await simulate(elaborate(GroupPacker, P), { backend });
  try {
    await sim.batch([{ in_valid: 0, pool: 0, width: 0 }], { resetCycles: 1 });
    const outs: Group[] = [];
    const send = async (g: Group | undefined): Promise<void> => {
      sim.poke("in_valid", g ? 1 : 0);
      if (g) {
        for (const f of ["channel", "row", "col", "mask"] as const) sim.poke(`in_bits_${f}`, g[f]);
        g.values.forEach((v, i) => sim.poke(`in_bits_values_${i}`, v));
      }
      await sim.step();
      if ((await sim.peek("out_valid")) === 1) {
        const values = await Promise.all(Array.from({ length: K }, (_, i) => sim.peek(`out_bits_values_${i}`)));
        const [channel, row, col, mask] = await Promise.all(["channel", "row", "col", "mask"].map((f) => sim.peek(`out_bits_${f}`)));
        outs.push({ channel: Number(channel), row: Number(row), col: Number(col), mask: Number(mask), values: values.map((v) => Number(BigInt.asIntN(16, BigInt(v)))) });
      }
    };
    // pooled maps: widths with a windowless last group (wo 9, 17), a half last group (wo 20) and whole ones (wo 16, 24)
    for (const wo of [9, 16, 17, 20, 24]) {
      const { groups, words } = pooledGroups(2, 3, wo, r);
      const width = Math.floor(wo / 2);
      sim.poke("pool", 1);
      sim.poke("width", width);
      outs.length = 0;
      for (const g of groups) {
        while (r() < 0.3) await send(undefined);
        await send(g);
      }
      await send(undefined);
      const got = new Map<string, number>();
      for (const o of outs) {
        expect(o.col % K).toBe(0);
        for (let i = 0; i < K; i++) if ((o.mask >> i) & 1) got.set(`${o.channel},${o.row},${o.col + i}`, o.values[i]!);
      }
      expect(outs.length).toBe(2 * 3 * Math.ceil(width / K));
      expect(got).toEqual(words);
    }
    // unpooled: unchanged
    sim.poke("pool", 0);
    sim.poke("width", 20);
    outs.length = 0;
    const plain: Group[] = Array.from({ length: 6 }, (_, j) => ({ channel: j % 2, row: j, col: (j % 3) * K, mask: randInt(r, 1, 255), values: Array.from({ length: K }, () => randInt(r, -32768, 32767)) }));
    for (const g of plain) await send(g);
    await send(undefined);
    expect(outs).toEqual(plain);
  } finally {
    await sim.close();
  }
}

describe("GroupPacker", () => {
  for (const backend of ["js", "iverilog"] as const) {
    it(`${backend}: pooled half groups merged into whole ones, the words unchanged; unpooled groups pass`, async () => {
      await run(backend, backend === "js" ? 1 : 2);
    }, 120_000);
  }
});
