/**
 * One PE on its own in Icarus, cycle by cycle against a TypeScript model of its pipeline
 * (pe.ts S1..S4, synchronous reads that see the memory before the edge's writes): X banks
 * written by the broadcast while the other bank is read, random MACs (first touches and
 * accumulations, runs into one word that violate the read-modify-write distance), accumulator
 * banks drained with random keep masks while the other bank accumulates, and the hazard flag.
 * Every output is compared in every cycle.
 */
import { describe, expect, it } from "vitest";
import { FAST_BACKEND } from "../helpers/sim-backend";
import { elaborate } from "../../hdl/core";
import { decodeIndex } from "../../hdl/spec2/index-decoder";
import { Pe, accDepth, accLocation, type PeParams } from "../../hdl/spec2/pe";
import { simulate, type Stimulus } from "../../sim";
import { randInt, rng } from "../helpers/rng";

type C = [number, number];

interface Cfg extends Pick<PeParams, "K" | "oLoc" | "accBits" | "xWords" | "drainWords" | "multiplier"> {
  seed: number;
}

interface S2 { act: boolean; first: boolean; addr: number; bank: number; dsel: number; xsel: number; w: C }
interface S3 { act: boolean; first: boolean; addr: number; bank: number; dsel: number; prod: C }
interface S4 { act: boolean; addr: number; bank: number; dsel: number; sum: C }

async function runPe(cfg: Cfg): Promise<{ macs: number; drained: number; hazards: number }> {
  const { K, oLoc, accBits } = cfg;
  const W = cfg.xWords ?? K;
  const D = cfg.drainWords ?? 1;
  const half = K / 2 + 1;
  const vBits = Math.ceil(Math.log2(half));
  const beats = K / W;
  const depth = accDepth(K, D, oLoc);
  const d = elaborate(Pe, { K, xBits: 16, weightBits: 16, accBits, oLoc, xWords: W, drainWords: D, multiplier: cfg.multiplier, checkHazards: true });
  const r = rng(cfg.seed);

  // ---- model state ----
  const xmem: C[][] = Array.from({ length: W }, () => Array.from({ length: 2 << (vBits + Math.log2(beats)) }, (): C => [0, 0]));
  const acc: (C | undefined)[][][] = [0, 1].map(() => Array.from({ length: D }, () => new Array<C | undefined>(depth).fill(undefined)));
  const xRead: C[] = Array.from({ length: W }, (): C => [0, 0]);
  const accRead: (C | undefined)[][] = [0, 1].map(() => new Array<C | undefined>(D).fill(undefined));
  let s2: S2 = { act: false, first: false, addr: 0, bank: 0, dsel: 0, xsel: 0, w: [0, 0] };
  let s3: S3 = { act: false, first: false, addr: 0, bank: 0, dsel: 0, prod: [0, 0] };
  let s4: S4 = { act: false, addr: 0, bank: 0, dsel: 0, sum: [0, 0] };
  let drBankQ = 0;

  const stim: Stimulus[] = [];
  const want: Record<string, number>[] = [];
  const idle = { issued: 0, xBank: 0, accBank: 0, entry_useful: 0, entry_first: 0, entry_oLocal: 0, entry_index: 0, entry_re: 0, entry_im: 0, ld_en: 0, ld_bank: 0, ld_addr: 0, dr_en: 0, dr_bank: 0, dr_addr: 0, dr_keep: 0 };
  let macs = 0;
  let drained = 0;
  let hazards = 0;

  /** One cycle: outputs from the current state and inputs, then the clock edge. */
  function cycle(inp: Partial<typeof idle> & { words?: C[] }): void {
    const { words: w0, ...rest } = inp;
    const s = { ...idle, ...rest };
    const words = w0 ?? Array.from({ length: W }, (): C => [0, 0]);
    const st: Record<string, number> = { ...s };
    words.forEach(([re, im], q) => {
      st[`ld_words_${q}_re`] = re;
      st[`ld_words_${q}_im`] = im;
    });
    stim.push(st);
    // ---- outputs ----
    const pending = (p: { act: boolean; addr: number; bank: number; dsel: number }): boolean => p.act && p.bank === s2.bank && p.dsel === s2.dsel && p.addr === s2.addr;
    const hazard = s2.act && !s2.first && (pending(s3) || pending(s4));
    const out: Record<string, number> = { mac: s4.act ? 1 : 0, hazard: hazard ? 1 : 0 };
    for (let q = 0; q < D; q++) {
      const keep = (s.dr_keep >> q) & 1;
      const word = accRead[drBankQ]![q];
      if (keep && word === undefined) throw new Error("test bug: keeps a word never written");
      const [re, im] = keep ? word! : [0, 0];
      out[`dr_words_${q}_re`] = re;
      out[`dr_words_${q}_im`] = im;
    }
    want.push(out);
    if (s4.act) macs++;
    if (s.dr_en) drained++;
    if (hazard) hazards++;
    // ---- the edge: synchronous reads see the memories before this edge's writes ----
    const { u, v } = decodeIndex(K, s.entry_index);
    const nextS4: S4 = { act: s3.act, addr: s3.addr, bank: s3.bank, dsel: s3.dsel, sum: [0, 0] };
    if (s3.act) {
      const old = s3.first ? [0, 0] : accRead[s3.bank]![s3.dsel];
      if (old === undefined) throw new Error("test bug: accumulates into a word never written");
      nextS4.sum = [old[0] + s3.prod[0], old[1] + s3.prod[1]];
    }
    const macRead = s2.act && !s2.first;
    for (let b = 0; b < 2; b++) {
      for (let q = 0; q < D; q++) {
        const mine = macRead && s2.bank === b && s2.dsel === q;
        if (mine) accRead[b]![q] = acc[b]![q]![s2.addr];
        else if (s.dr_en && s.dr_bank === b) accRead[b]![q] = acc[b]![q]![s.dr_addr];
      }
    }
    const x = xRead[s2.xsel]!;
    const nextS3: S3 = { act: s2.act, first: s2.first, addr: s2.addr, bank: s2.bank, dsel: s2.dsel, prod: [x[0] * s2.w[0] - x[1] * s2.w[1], x[0] * s2.w[1] + x[1] * s2.w[0]] };
    if (s.issued) {
      const xa = ((s.xBank << vBits) | v) * beats + Math.floor(u / W);
      for (let q = 0; q < W; q++) xRead[q] = [...xmem[q]![xa]!];
    }
    const loc = accLocation(K, D, s.entry_oLocal, u, v);
    const nextS2: S2 = { act: !!(s.issued && s.entry_useful), first: !!s.entry_first, addr: loc.addr, bank: s.accBank, dsel: loc.mem, xsel: u % W, w: [s.entry_re, s.entry_im] };
    if (s4.act) acc[s4.bank]![s4.dsel]![s4.addr] = s4.sum;
    if (s.ld_en) words.forEach((wd, q) => (xmem[q]![(s.ld_bank << (vBits + Math.log2(beats))) | s.ld_addr] = [...wd]));
    s4 = nextS4;
    s3 = nextS3;
    s2 = nextS2;
    drBankQ = s.dr_bank;
  }

  const rnd16 = (): number => (r() < 0.05 ? -32768 : randInt(r, -32768, 32767));
  const randWords = (): C[] => Array.from({ length: W }, (): C => [rnd16(), rnd16()]);
  const allBeats = Array.from({ length: half * beats }, (_, k) => ({ v: Math.floor(k / beats), beat: k % beats }));
  const ldOf = (bank: number, k: number): Partial<typeof idle> & { words: C[] } => ({ ld_en: 1, ld_bank: bank, ld_addr: allBeats[k]!.v * beats + allBeats[k]!.beat, words: randWords() });
  for (let k = 0; k < allBeats.length; k++) cycle(ldOf(0, k));
  // written[b]: accumulator words (memory/address) of bank b and the cycle their first MAC was issued
  const written = [new Map<string, number>(), new Map<string, number>()];
  // dr_keep applies to the words read in the previous cycle
  let keepNext = 0;
  const step = (inp: Partial<typeof idle> & { words?: C[] }, keepAfter = 0): void => {
    cycle({ ...inp, dr_keep: keepNext });
    keepNext = keepAfter;
  };
  for (let t = 0; t < 4; t++) {
    const xb = t % 2;
    const ab = t % 2;
    let loadK = 0;
    let drainA = 0;
    let prev = { oLocal: 0, index: 0 };
    for (let k = 0; k < 80; k++) {
      const repeat = r() < 0.3;
      const e = repeat ? prev : { oLocal: randInt(r, 0, oLoc - 1), index: randInt(r, 0, K * half - 1) };
      prev = e;
      const { u, v } = decodeIndex(K, e.index);
      const key = `${accLocation(K, D, e.oLocal, u, v).mem}/${accLocation(K, D, e.oLocal, u, v).addr}`;
      const issued = r() < 0.9 ? 1 : 0;
      const useful = r() < 0.85 ? 1 : 0;
      // a word not written yet in this bank must start with a first touch (as the schedule does);
      // runs into one word (repeat) break the read-modify-write distance on purpose
      // (and one whose first write has not landed yet: a stale read there would see X in Icarus)
      const landed = (written[ab]!.get(key) ?? Infinity) <= stim.length - 4;
      const first = !landed ? 1 : r() < 0.1 ? 1 : 0;
      if (issued && useful && !written[ab]!.has(key)) written[ab]!.set(key, stim.length);
      const inp: Partial<typeof idle> & { words?: C[] } = { issued, xBank: xb, accBank: ab, entry_useful: useful, entry_first: first, entry_oLocal: e.oLocal, entry_index: e.index, entry_re: rnd16(), entry_im: rnd16() };
      if (loadK < allBeats.length && r() < 0.4) Object.assign(inp, ldOf(1 - xb, loadK++));
      // drain the other bank (from the second tile on, after its last MACs have landed)
      let keep = 0;
      if (t > 0 && k > 4 && drainA < depth && r() < 0.6) {
        for (let q = 0; q < D; q++) if (written[1 - ab]!.has(`${q}/${drainA}`) && r() < 0.8) keep |= 1 << q;
        Object.assign(inp, { dr_en: 1, dr_bank: 1 - ab, dr_addr: drainA++ });
      }
      step(inp, keep);
    }
    while (loadK < allBeats.length) step(ldOf(1 - xb, loadK++));
    for (let k = 0; k < 5; k++) step({});
  }

  const sim = await simulate(d, { backend: FAST_BACKEND });
  try {
    const got = await sim.batch(stim, { resetCycles: 1 });
    got.forEach((g, c) => {
      const w = want[c]!;
      if (Object.keys(w).some((k) => g[k] !== w[k])) expect({ cycle: c, ...g }).toEqual({ cycle: c, ...w });
    });
  } finally {
    await sim.close();
  }
  return { macs, drained, hazards };
}

describe("Pe", () => {
  it("K 8, 3 local output channels, one-word X writes and drain: MACs, banks, drain with keep masks, hazard flag", async () => {
    const { macs, drained, hazards } = await runPe({ K: 8, oLoc: 3, accBits: 40, xWords: 1, drainWords: 1, seed: 1 });
    expect(macs).toBeGreaterThan(150);
    expect(drained).toBeGreaterThan(100);
    expect(hazards).toBeGreaterThan(5);
  });

  it("whole-column X writes and drain (xWords = drainWords = K), Gauss multiplier", async () => {
    await runPe({ K: 8, oLoc: 2, accBits: 40, xWords: 8, drainWords: 8, multiplier: "gauss", seed: 2 });
  });

  it("K 4 with one local output channel (xWords 2, drainWords 2) and K 16 with two (xWords 4, drainWords 4)", async () => {
    await runPe({ K: 4, oLoc: 1, accBits: 40, xWords: 2, drainWords: 2, seed: 3 });
    await runPe({ K: 16, oLoc: 2, accBits: 40, xWords: 4, drainWords: 4, seed: 4 });
  });

  it("rejects a drain width that does not divide K, naming the generator and the instantiation", () => {
    expect(() => elaborate(Pe, { K: 8, xBits: 16, weightBits: 16, accBits: 40, oLoc: 2, drainWords: 3 })).toThrow(/test\/spec2\/pe\.test\.ts:\d+: Pe: drainWords must divide K = 8, got 3/);
  });
});
