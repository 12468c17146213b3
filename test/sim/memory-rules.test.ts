/**
 * The memory rules of hdl/core/README.md, on both simulators alike: two write ports writing one
 * address in one cycle (the later port wins), a synchronous read of the address being written
 * (the old word), and reads beyond the depth of a memory whose depth is not a power of two (0
 * until written there); an address constant beyond the depth is rejected at elaboration. ROM
 * contents given as a data file (`initAsFile`) reach both simulators.
 */
import { describe, expect, it } from "vitest";
import { Bool, Input, Mem, Output, Rom, UInt, defineModule, elaborate, type ElaboratedDesign } from "../../hdl/core";
import { runBatch, type Backend, type Stimulus } from "../../sim";
import { rng } from "../helpers/rng";
import { expectCleanVerilog } from "../helpers/verilog-tools";

const TwoWriters = defineModule("TwoWriters", (p: { depth: number }) => {
  const weA = Input(Bool());
  const weB = Input(Bool());
  const addrA = Input(UInt(4));
  const addrB = Input(UInt(4));
  const dataA = Input(UInt(8));
  const dataB = Input(UInt(8));
  const raddr = Input(UInt(4));
  const q = Output(UInt(8));
  const qSync = Output(UInt(8));
  const mem = Mem(p.depth, UInt(8), { init: Array.from({ length: p.depth }, (_, i) => i + 100) });
  mem.write(addrA, dataA, { enable: weA });
  mem.write(addrB, dataB, { enable: weB });
  q.assign(mem.readAsync(raddr));
  qSync.assign(mem.readSync(raddr));
  return { weA, weB, addrA, addrB, dataA, dataB, raddr, q, qSync };
});

/** The rules as a model: port B after port A; the registered read sees the words before the edge. */
function model(depth: number, stim: readonly Stimulus[]): { q: number; qSync: number }[] {
  const words = Array.from({ length: 16 }, (_, i) => (i < depth ? i + 100 : 0));
  let qSync = -1;
  return stim.map((s) => {
    const n = (k: string): number => Number(s[k]);
    const out = { q: words[n("raddr")]!, qSync };
    qSync = words[n("raddr")]!;
    if (n("weA")) words[n("addrA")] = n("dataA");
    if (n("weB")) words[n("addrB")] = n("dataB");
    return out;
  });
}

function stimulus(seed: number, cycles: number): Stimulus[] {
  const r = rng(seed);
  const addr = (): number => Math.floor(r() * 16);
  return Array.from({ length: cycles }, () => {
    const a = addr();
    // Often the same address on both ports, often the one being read.
    const b = r() < 0.5 ? a : addr();
    return { weA: r() < 0.6 ? 1 : 0, weB: r() < 0.6 ? 1 : 0, addrA: a, addrB: b, dataA: Math.floor(r() * 256), dataB: Math.floor(r() * 256), raddr: r() < 0.5 ? a : addr() };
  });
}

const backends: Backend[] = ["iverilog", "verilator", "js"];

describe.each(backends)("memory rules on %s", (backend) => {
  for (const depth of [16, 10]) {
    it(`depth ${depth}: the later write port wins, sync reads are read-first${depth === 10 ? ", words beyond the depth read 0 until written" : ""}`, async () => {
      const d: ElaboratedDesign = elaborate(TwoWriters, { depth });
      const stim = stimulus(depth, 400);
      // The registered read holds nothing before the first edge (X on Icarus): compare from cycle 1.
      const got = await runBatch(d, stim, { backend, skip: 1 });
      expect(got).toEqual(model(depth, stim).slice(1));
    });
  }

  it("a ROM whose contents are a $readmemh data file (initAsFile) reads them", async () => {
    const contents = Array.from({ length: 200 }, (_, i) => (i * 37 + 11) % 256);
    const R = defineModule("FileRom", () => {
      const a = Input(UInt(8));
      const y = Output(UInt(8));
      const rom = Rom(UInt(8), contents, { initAsFile: true });
      y.assign(rom.readAsync(a));
      return { a, y };
    });
    const d = elaborate(R);
    expect(Object.keys(d.files ?? {})).toEqual(["FileRom_rom.hex"]);
    const got = await runBatch(d, Array.from({ length: 256 }, (_, a) => ({ a })), { backend });
    expect(got.map((s) => s.y)).toEqual([...contents, ...new Array<number>(56).fill(0)]);
  });

  it("a ROM of 3 words reads 0 at address 3", async () => {
    const R = defineModule("Rom3", () => {
      const a = Input(UInt(2));
      const y = Output(UInt(8));
      y.assign(Rom(UInt(8), [7, 8, 9]).readAsync(a));
      return { a, y };
    });
    const got = await runBatch(elaborate(R), [0, 1, 2, 3].map((a) => ({ a })), { backend });
    expect(got.map((s) => s.y)).toEqual([7, 8, 9, 0]);
  });
});

describe("memory rules in the Verilog", () => {
  it("both write ports share one always block, in program order; the padded array is simulation-only", async () => {
    const d = elaborate(TwoWriters, { depth: 10 });
    expect(d.verilog).toContain("always @(posedge clock) begin // 2 write ports: the last one enabled wins at a shared address");
    expect(d.verilog).toMatch(/`ifdef SYNTHESIS\n {2}reg \[7:0\] mem \[0:9\];.*\n`else\n {2}reg \[7:0\] mem \[0:15\];.*\n`endif/);
    await expectCleanVerilog(d.verilog, d.top);
  });

  it("an address constant beyond the depth is an error", () => {
    const Bad = defineModule("Bad", () => {
      const y = Output(UInt(8));
      const m = Mem(10, UInt(8));
      y.assign(m.readAsync(12));
      return { y };
    });
    expect(() => elaborate(Bad)).toThrow(/^test\/sim\/memory-rules\.test\.ts:\d+: address 12 is beyond the last word of memory m \(10 words, 0\.\.9\)$/);
  });
});
