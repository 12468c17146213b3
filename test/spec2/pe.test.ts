/**
 * One PE on its own in Icarus, cycle by cycle against a TypeScript model of its pipeline:
 * X banks written by the broadcast while the other bank is read, random entries (with runs
 * of the same accumulator word back to back, which a read-modify-write hazard would corrupt),
 * accumulator banks drained and cleared while the other bank accumulates, the reset sweep.
 * Every output is compared in every cycle.
 */
import { describe, expect, it } from "vitest";
import { elaborate } from "../../hdl/core";
import { Pe, accGeometry } from "../../hdl/spec2/pe";
import { simulate, type Stimulus } from "../../sim";
import { randInt, rng } from "../helpers/rng";

type C = [number, number];

interface Cfg {
  K: number;
  oLoc: number;
  accBits: number;
  seed: number;
}

async function runPe(cfg: Cfg): Promise<{ macs: number; drained: number }> {
  const { K, oLoc, accBits } = cfg;
  const half = K / 2 + 1;
  const vBits = Math.ceil(Math.log2(half));
  const geo = accGeometry(K, oLoc);
  const d = elaborate(Pe, { K, xBits: 16, weightBits: 16, accBits, oLoc });
  const r = rng(cfg.seed);
  const addrOf = (ol: number, v: number): number => (oLoc === 1 ? v : (ol << vBits) | v);

  // ---- model state ----
  const xmem: C[][][] = [0, 1].map(() => Array.from({ length: half }, () => Array.from({ length: K }, (): C => [0, 0])));
  const acc: C[][][] = [0, 1].map(() => Array.from({ length: geo.depth }, () => Array.from({ length: K }, (): C => [0, 0])));
  let s2: { act: boolean; u: number; addr: number; bank: number; w: C; x: C } = { act: false, u: 0, addr: 0, bank: 0, w: [0, 0], x: [0, 0] };
  let s3: { act: boolean; u: number; addr: number; bank: number; p: C } = { act: false, u: 0, addr: 0, bank: 0, p: [0, 0] };

  const stim: Stimulus[] = [];
  const want: Record<string, number>[] = [];
  const idle = { issued: 0, xBank: 0, accBank: 0, entry_useful: 0, entry_oLocal: 0, entry_index: 0, entry_re: 0, entry_im: 0, ld_en: 0, ld_bank: 0, ld_v: 0, dr_en: 0, dr_bank: 0, dr_addr: 0, sw_en: 0, sw_addr: 0 };
  let macs = 0;
  let drained = 0;

  /** One cycle: outputs from the current state, then the clock edge. */
  function cycle(inp: Partial<typeof idle> & { col?: C[] }): void {
    const s = { ...idle, ...inp };
    const { col: _col, ...rest } = s;
    void _col;
    const st: Record<string, number> = { ...rest };
    const col = inp.col ?? Array.from({ length: K }, (): C => [0, 0]);
    col.forEach(([re, im], u) => {
      st[`ld_col_${u}_re`] = re;
      st[`ld_col_${u}_im`] = im;
    });
    stim.push(st);
    const out: Record<string, number> = { mac: s3.act ? 1 : 0 };
    // each bank has one address: the MAC's while it accumulates, else the sweep's or the drain's
    const bankAddr = (b: number): number => (s3.act && s3.bank === b ? s3.addr : s.sw_en ? s.sw_addr : s.dr_addr);
    for (let u = 0; u < K; u++) {
      const [re, im] = acc[s.dr_bank]![bankAddr(s.dr_bank)]![u]!;
      out[`dr_col_${u}_re`] = re;
      out[`dr_col_${u}_im`] = im;
    }
    want.push(out);
    if (s3.act) macs++;
    if (s.dr_en) drained++;
    // edge: accumulator write ports (a bank accumulating is not cleared), X memory (read before write)
    for (let b = 0; b < 2; b++) {
      for (let u = 0; u < K; u++) {
        if (s3.act && s3.bank === b) {
          if (s3.u !== u) continue;
          const a = acc[b]![s3.addr]![u]!;
          acc[b]![s3.addr]![u] = [a[0] + s3.p[0], a[1] + s3.p[1]];
        } else if ((s.dr_en && s.dr_bank === b) || s.sw_en) {
          acc[b]![s.sw_en ? s.sw_addr : s.dr_addr]![u] = [0, 0];
        }
      }
    }
    const nextS3 = { act: s2.act, u: s2.u, addr: s2.addr, bank: s2.bank, p: [s2.x[0] * s2.w[0] - s2.x[1] * s2.w[1], s2.x[0] * s2.w[1] + s2.x[1] * s2.w[0]] as C };
    const u = Math.floor(s.entry_index / half);
    const v = s.entry_index % half;
    s2 = { act: !!(s.issued && s.entry_useful), u, addr: addrOf(s.entry_oLocal, v), bank: s.accBank, w: [s.entry_re, s.entry_im], x: s.issued ? [...xmem[s.xBank]![v]![u]!] : s2.x };
    s3 = nextS3;
    if (s.ld_en) xmem[s.ld_bank]![s.ld_v] = col.map((c) => [...c]);
  }

  const rnd16 = (): number => (r() < 0.05 ? -32768 : randInt(r, -32768, 32767));
  const randCol = (): C[] => Array.from({ length: K }, (): C => [rnd16(), rnd16()]);
  // reset sweep
  for (let a = 0; a < geo.depth; a++) cycle({ sw_en: 1, sw_addr: a });
  // load X bank 0
  for (let v = 0; v < half; v++) cycle({ ld_en: 1, ld_bank: 0, ld_v: v, col: randCol() });
  // two "tiles": MACs into accumulator bank t % 2 from X bank t % 2 while bank 1 - t is loaded
  // and (from the second tile on) the other accumulator bank is drained
  let drainQueue: number[] = [];
  for (let t = 0; t < 3; t++) {
    const xb = t % 2;
    const ab = t % 2;
    let loadV = 0;
    let prev = { oLocal: 0, index: 0 };
    for (let k = 0; k < 60; k++) {
      const repeat = r() < 0.35;
      const e = repeat ? prev : { oLocal: randInt(r, 0, oLoc - 1), index: randInt(r, 0, K * half - 1) };
      prev = e;
      const inp: Partial<typeof idle> & { col?: C[] } = {
        issued: r() < 0.9 ? 1 : 0, xBank: xb, accBank: ab, entry_useful: r() < 0.85 ? 1 : 0, entry_oLocal: e.oLocal, entry_index: e.index, entry_re: rnd16(), entry_im: rnd16(),
      };
      if (loadV < half && r() < 0.3) {
        Object.assign(inp, { ld_en: 1, ld_bank: 1 - xb, ld_v: loadV });
        inp.col = randCol();
        loadV++;
      }
      if (drainQueue.length > 0 && r() < 0.5) Object.assign(inp, { dr_en: 1, dr_bank: 1 - ab, dr_addr: drainQueue.shift()! });
      else Object.assign(inp, { dr_bank: 1 - ab, dr_addr: randInt(r, 0, geo.depth - 1) }); // look without clearing (not at the accumulating bank)
      cycle(inp);
    }
    while (loadV < half) cycle({ ld_en: 1, ld_bank: 1 - xb, ld_v: loadV++, col: randCol() });
    for (const a of drainQueue) cycle({ dr_en: 1, dr_bank: 1 - ab, dr_addr: a });
    cycle({}); // let the last MACs reach the accumulators
    cycle({});
    drainQueue = Array.from({ length: geo.depth }, (_, a) => a).filter((a) => (a & ((1 << vBits) - 1)) < half);
  }
  for (const a of drainQueue) cycle({ dr_en: 1, dr_bank: 0, dr_addr: a });
  // everything drained is zero again
  for (let b = 0; b < 2; b++) for (let a = 0; a < geo.depth; a++) cycle({ dr_bank: b, dr_addr: a });

  const sim = await simulate(d);
  try {
    // during the sweep the accumulators read at the sweep's address are not yet cleared (X)
    const skip = geo.depth;
    const got = await sim.batch(stim, { resetCycles: 1, skip });
    got.forEach((g, c) => {
      const w = want[c + skip]!;
      if (Object.keys(w).some((k) => g[k] !== w[k])) expect({ cycle: c + skip, ...g }).toEqual({ cycle: c + skip, ...w });
    });
  } finally {
    await sim.close();
  }
  return { macs, drained };
}

describe("Pe", () => {
  it("K 8, 3 local output channels: MACs, X and accumulator banks, drain and clear, cycle by cycle", async () => {
    const { macs, drained } = await runPe({ K: 8, oLoc: 3, accBits: 40, seed: 1 });
    expect(macs).toBeGreaterThan(100);
    expect(drained).toBeGreaterThan(40);
  });

  it("K 4 with one local output channel and K 16 with two", async () => {
    await runPe({ K: 4, oLoc: 1, accBits: 40, seed: 2 });
    await runPe({ K: 16, oLoc: 2, accBits: 40, seed: 3 });
  });
});
