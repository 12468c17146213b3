/**
 * WeightBuffer on Icarus and the JS backend against its protocol, modelled here: banks of random
 * rows (one tile each, tileLast on the last row) loaded with random gaps, each serving its
 * `tiles`, read by an issue that stalls at random: the words of every issued address come out on
 * the next cycle, the addresses of each bank repeat `tiles` times, banks in load order (so a
 * third bank waits for the first's release), and with no gaps a bank switch costs no clock.
 */
import { describe, expect, it } from "vitest";
import { Bool, Input, Output, Reg, Rom, UInt, Vec, defineModule, elaborate, log2Ceil, when } from "../../hdl/core";
import { WeightBuffer } from "../../hdl/spec2/weight-buffer";
import type { WeightRowShape } from "../../hdl/spec2/weight-row";
import { simulate, type Backend } from "../../sim";
import { rng } from "../helpers/rng";
import { expectCleanVerilog } from "../helpers/verilog-tools";

const ROW: WeightRowShape = { words: 3, wordBits: 10, ctlBits: 2 };
const MAX_DEPTH = 8;

interface Bank {
  /** rows: [ctl, word0, word1, word2] */
  readonly rows: readonly (readonly number[])[];
  readonly tiles: number;
}

/** The buffer fed from a ROM of rows (`go` gates valid); `issue` from the stimulus, gated by ready. */
const Bench = defineModule("WeightBufferBench", (p: { banks: readonly Bank[]; maxDepth?: number }) => {
  const go = Input(Bool());
  const want = Input(Bool());
  const issued = Output(Bool());
  const ready = Output(Bool());
  const tileLast = Output(Bool());
  const ctl = Output(UInt(ROW.ctlBits));
  const words = Output(Vec(ROW.words, UInt(ROW.wordBits)));
  const loadReady = Output(Bool());
  const dut = WeightBuffer.instance({ row: ROW, maxDepth: p.maxDepth ?? MAX_DEPTH, tileBits: 3 });
  const flat = p.banks.flatMap((b) => b.rows.map((r, a) => ({ r, last: a === b.rows.length - 1, tiles: b.tiles })));
  const packed = flat.map(({ r, last, tiles }) => {
    let x = BigInt(tiles);
    x = (x << 1n) | (last ? 1n : 0n);
    for (let k = ROW.words; k >= 1; k--) x = (x << 10n) | BigInt(r[k]!);
    return (x << 2n) | BigInt(r[0]!);
  });
  const src = Rom(UInt(2 + 30 + 1 + 3), [...packed, 0n], { name: "src" });
  const ptr = Reg(UInt(log2Ceil(flat.length + 1)), { init: 0 });
  const w = src.readAsync(ptr);
  dut.load.valid.assign(go.and(ptr.lt(flat.length)));
  dut.load.bits.ctl.assign(w.bits(1, 0));
  for (let k = 0; k < ROW.words; k++) dut.load.bits.words.at(k).assign(w.bits(2 + 10 * k + 9, 2 + 10 * k));
  dut.load.bits.last.assign(w.bit(32));
  dut.load.bits.tiles.assign(w.bits(35, 33));
  // a bank is one tile: tileLast on its last row
  dut.load.bits.tileLast.assign(w.bit(32));
  when(dut.load.valid.and(dut.load.ready), () => ptr.assign(ptr.addWrap(1)));
  const issue = want.and(dut.ready);
  dut.issue.assign(issue);
  issued.assign(issue);
  ready.assign(dut.ready);
  tileLast.assign(dut.tileLast);
  ctl.assign(dut.ctl);
  for (let k = 0; k < ROW.words; k++) words.at(k).assign(dut.words.at(k));
  loadReady.assign(dut.load.ready);
  return { go, want, issued, ready, tileLast, ctl, words, loadReady };
});

function randomBanks(seed: number, depths = [5, 1, 8, 3]): Bank[] {
  const r = rng(seed);
  return depths.map((d, b) => ({
    rows: Array.from({ length: d }, () => [Math.floor(r() * 4), ...Array.from({ length: ROW.words }, () => Math.floor(r() * 1024))]),
    tiles: 1 + (b % 3),
  }));
}

/** The reads the protocol gives: every bank's rows, `tiles` times, banks in order. */
function expectedReads(banks: readonly Bank[]): { ctl: number; tileLast: boolean; words: number[] }[] {
  return banks.flatMap((b) =>
    Array.from({ length: b.tiles }, () => b.rows.map((r, a) => ({ ctl: r[0]!, tileLast: a === b.rows.length - 1, words: r.slice(1) }))).flat(),
  );
}

async function run(backend: Backend, banks: readonly Bank[], pGo: number, pWant: number, seed: number, maxDepth?: number) {
  const sim = await simulate(elaborate(Bench, { banks, ...(maxDepth ? { maxDepth } : {}) }), { backend });
  const r = rng(seed);
  const want = expectedReads(banks);
  const got: { ctl: number; tileLast: boolean; words: number[] }[] = [];
  const readyTrace: number[] = [];
  try {
    await sim.reset(1);
    const stim = Array.from({ length: 400 }, () => ({ go: r() < pGo ? 1 : 0, want: r() < pWant ? 1 : 0 }));
    const samples = await sim.batch(stim, { allowX: ["words_0", "words_1", "words_2", "ctl", "tileLast"] });
    samples.forEach((s, c) => {
      readyTrace.push(Number(s.ready));
      // the words of the address issued in cycle c appear in cycle c + 1
      if (s.issued === 1) got.push({ ctl: Number(s.ctl), tileLast: s.tileLast === 1, words: [0, 1, 2].map((k) => Number(samples[c + 1]![`words_${k}`])) });
    });
  } finally {
    await sim.close();
  }
  return { got: got.slice(0, want.length), extra: got.length - want.length, want, readyTrace };
}

describe("WeightBuffer", () => {
  const banks = randomBanks(5);
  for (const backend of ["js", "iverilog"] as const) {
    it(`${backend}: four banks (depths 5, 1, 8, 3; 1-3 tiles each) through two, random load gaps and issue stalls`, async () => {
      const res = await run(backend, banks, 0.6, 0.7, 1);
      expect(res.got).toEqual(res.want);
      expect(res.extra).toBe(0);
    }, 60_000);
  }

  // banks at 0 and maxDepth: memories of 2 x 11 words, not 2 x 16
  const odd = randomBanks(6, [11, 4, 7, 11]);
  for (const backend of ["js", "iverilog"] as const) {
    it(`${backend}: maxDepth 11 (not a power of two): four banks (depths 11, 4, 7, 11) through two, random gaps and stalls`, async () => {
      const res = await run(backend, odd, 0.6, 0.7, 3, 11);
      expect(res.got).toEqual(res.want);
      expect(res.extra).toBe(0);
    }, 60_000);
  }

  it("memories of 2 x maxDepth words: 22 for maxDepth 11, 16 for 8", () => {
    expect(elaborate(WeightBuffer, { row: ROW, maxDepth: 11, tileBits: 3 }).verilog).toMatch(/reg \[9:0\] word0 \[0:21\];/);
    expect(elaborate(WeightBuffer, { row: ROW, maxDepth: 8, tileBits: 3 }).verilog).toMatch(/reg \[9:0\] word0 \[0:15\];/);
  });

  it("js: with rows always valid and issue always wanted, a bank switch to a loaded bank costs no clock", async () => {
    const res = await run("js", banks, 1, 1, 2);
    expect(res.got).toEqual(res.want);
    const first = res.readyTrace.indexOf(1);
    // banks 0 and 1 are loaded back to back before bank 0 is ready: their 5 x 1 + 1 x 2 reads run
    // without a gap; bank 2 can only be written once bank 0 is released, so ready then drops
    const reads = banks[0]!.rows.length * banks[0]!.tiles + banks[1]!.rows.length * banks[1]!.tiles;
    expect(res.readyTrace.slice(first, first + reads)).toEqual(new Array<number>(reads).fill(1));
    expect(res.readyTrace[first + reads]).toBe(0);
  }, 60_000);

  it("js: a bank of more than maxDepth rows fails the buffer's assertion", async () => {
    const long: Bank[] = [{ rows: Array.from({ length: MAX_DEPTH + 1 }, (_, a) => [0, a, a, a]), tiles: 1 }];
    await expect(run("js", long, 1, 0, 3)).rejects.toThrow(/weight-buffer\.ts:\d+: assertion failed at cycle \d+: WeightBuffer: a bank of more than maxDepth = 8 rows/);
  }, 60_000);

  it("js: a bank serving 0 tiles fails the buffer's assertion", async () => {
    const none: Bank[] = [{ rows: [[0, 1, 2, 3]], tiles: 0 }];
    await expect(run("js", none, 1, 0, 3)).rejects.toThrow(/weight-buffer\.ts:\d+: assertion failed at cycle \d+: WeightBuffer: a bank serving 0 tiles/);
  }, 60_000);

  it("emits Verilog that Icarus, Verilator and Yosys accept without warnings", async () => {
    const d = elaborate(WeightBuffer, { row: ROW, maxDepth: MAX_DEPTH, tileBits: 3 });
    await expectCleanVerilog(d.verilog, d.top);
  }, 60_000);

  it("style: \"block\" asks for block RAM for the word memories (ram_style), the control memory left to the tool", () => {
    const v = elaborate(WeightBuffer, { row: ROW, maxDepth: MAX_DEPTH, tileBits: 3, style: "block" }).verilog;
    expect(v.match(/ram_style\s*=\s*"block"/g)?.length).toBe(ROW.words);
    expect(elaborate(WeightBuffer, { row: ROW, maxDepth: MAX_DEPTH, tileBits: 3 }).verilog).not.toMatch(/ram_style/);
  });

  it("rejects a bad maxDepth, naming the instantiation", () => {
    expect(() => elaborate(WeightBuffer, { row: ROW, maxDepth: 0, tileBits: 3 })).toThrow(
      /weight-buffer\.test\.ts:\d+: WeightBuffer: maxDepth must be an integer in 1\.\.2\^20, got 0/,
    );
  });
});
