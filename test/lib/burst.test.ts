/**
 * The burst blocks of hdl/lib on both simulators: BurstReader -> BurstWriter copying a region of
 * a BurstMemory to another. Checked against the port's specification, not the blocks' code:
 * the copy is exact for every bandwidth and latency (stalls change cycles, never results); the
 * copy takes at least the bandwidth's time (2 x bytes / bytesPerCycle) and at most that plus the
 * latency and a few bursts; one more clock of latency costs one more clock of a one-beat read;
 * misaligned addresses raise `error`; parameter errors name the caller's line.
 */
import { describe, expect, it } from "vitest";
import { Bool, Input, Output, UInt, connect, defineModule, elaborate, type Var } from "../../hdl/core";
import { BurstMemory, BurstReader, BurstWriter, bandwidthFraction, burstWriterWithStrobes, type BurstPortParams } from "../../hdl/lib";
import { simulate, type Backend, type Stimulus } from "../../sim";
import { rng } from "../helpers/rng";
import { debugPort, idleRead } from "../helpers/burst-memory";
import { expectCleanVerilog } from "../helpers/verilog-tools";
import { BACKENDS } from "./harness";

const PORT: BurstPortParams = { addrBits: 16, dataBytes: 4, lenBits: 4 };
const WORDS = 512;

interface CopyParams {
  readonly bytesPerCycle: number;
  readonly latency: number;
  readonly burstBeats: number;
}

const CopyTop = defineModule("CopyTop", (q: CopyParams) => {
  const start = Input(Bool());
  const src = Input(UInt(16));
  const dst = Input(UInt(16));
  const beats = Input(UInt(12));
  const accepted = Output(Bool());
  const busy = Output(Bool());
  const error = Output(Bool());
  const reads = Output(UInt(32));
  const writes = Output(UInt(32));
  const reader = BurstReader.instance({ port: PORT, burstBeats: q.burstBeats, countBits: 12 });
  const writer = BurstWriter.instance({ port: PORT, burstBeats: q.burstBeats, countBits: 12 });
  const mem = BurstMemory.instance({ port: PORT, words: WORDS, bytesPerCycle: q.bytesPerCycle, latency: q.latency });
  reader.cmd.valid.assign(start);
  reader.cmd.bits.addr.assign(src);
  reader.cmd.bits.beats.assign(beats);
  writer.cmd.valid.assign(start);
  writer.cmd.bits.addr.assign(dst);
  writer.cmd.bits.beats.assign(beats);
  accepted.assign(reader.cmd.ready.and(writer.cmd.ready));
  connect(mem.port.ar, reader.ar);
  connect(reader.r, mem.port.r);
  connect(writer.in, reader.out);
  connect(mem.port.aw, writer.aw);
  connect(mem.port.w, writer.w);
  connect(writer.b, mem.port.b);
  busy.assign(reader.busy.or(writer.busy));
  const dbg = debugPort(mem, 9, 32);
  error.assign(mem.error);
  reads.assign(mem.readBeats);
  writes.assign(mem.writeBeats);
  return { start, src, dst, beats, ...dbg, accepted, busy, error, reads, writes };
});

interface CopyResult {
  cycles: number;
  copied: number[];
  error: number;
  reads: number;
  writes: number;
}

/** Writes `data` at beat `srcBeat`, copies it to `dstBeat`, reads the destination back. */
async function runCopy(backend: Backend, q: CopyParams, data: readonly number[], srcBeat: number, dstBeat: number): Promise<CopyResult> {
  const sim = await simulate(elaborate(CopyTop, q), { backend });
  try {
    await sim.batch(data.map((d, i) => ({ dbg_we: 1, dbg_addr: srcBeat + i, dbg_wdata: d })), { resetCycles: 1, allowX: true });
    const limit = Math.ceil((2 * data.length * PORT.dataBytes) / q.bytesPerCycle) + q.latency + 200;
    const run: Stimulus[] = [{ dbg_we: 0, start: 1, src: srcBeat * PORT.dataBytes, dst: dstBeat * PORT.dataBytes, beats: data.length }];
    for (let c = 1; c < limit; c++) run.push({ start: 0 });
    const samples = await sim.batch(run, { allowX: ["dbg_data"] });
    expect(samples[0]!.accepted).toBe(1);
    const end = samples.findIndex((s, c) => c > 0 && s.busy === 0);
    expect(end, "the copy finishes within the bound").toBeGreaterThan(0);
    const last = samples[end]!;
    const back = await sim.batch(data.map((_, i) => ({ dbg_addr: dstBeat + i })));
    return { cycles: end, copied: back.map((s) => Number(s.dbg_data)), error: Number(last.error), reads: Number(last.reads), writes: Number(last.writes) };
  } finally {
    await sim.close();
  }
}

describe("BurstReader -> BurstWriter through BurstMemory", () => {
  const r = rng(11);
  const data = Array.from({ length: 100 }, () => Math.floor(r() * 2 ** 32));
  const cases: CopyParams[] = [
    { bytesPerCycle: 8, latency: 1, burstBeats: 16 },
    { bytesPerCycle: 8, latency: 20, burstBeats: 16 },
    { bytesPerCycle: 2.5, latency: 7, burstBeats: 5 },
    { bytesPerCycle: 1, latency: 3, burstBeats: 1 },
  ];
  for (const backend of BACKENDS) {
    for (const q of cases) {
      it(`${backend}: ${q.bytesPerCycle} B/clock, latency ${q.latency}, bursts of ${q.burstBeats}: exact copy in the bandwidth's time`, async () => {
        const got = await runCopy(backend, q, data, 3, 200);
        expect(got.copied).toEqual(data);
        expect(got.error).toBe(0);
        expect(got.reads).toBe(data.length);
        expect(got.writes).toBe(data.length);
        const bound = (2 * data.length * PORT.dataBytes) / q.bytesPerCycle;
        expect(got.cycles).toBeGreaterThanOrEqual(Math.floor(bound));
        // the copy overlaps reads and writes: at most the latency and a few bursts' worth more
        expect(got.cycles).toBeLessThanOrEqual(Math.ceil(bound) + q.latency + 4 * q.burstBeats + 12);
      }, 120_000);
    }
  }

  it("one more clock of latency is one more clock for a one-beat copy (iverilog)", async () => {
    const one = [0x1234_5678];
    const a = await runCopy("iverilog", { bytesPerCycle: 8, latency: 5, burstBeats: 4 }, one, 0, 10);
    const b = await runCopy("iverilog", { bytesPerCycle: 8, latency: 6, burstBeats: 4 }, one, 0, 10);
    expect(a.copied).toEqual(one);
    expect(b.cycles - a.cycles).toBe(1);
  }, 60_000);

  it("a misaligned address raises error", async () => {
    const sim = await simulate(elaborate(CopyTop, { bytesPerCycle: 4, latency: 2, burstBeats: 4 }), { backend: "iverilog" });
    try {
      const s = await sim.batch([{ start: 1, src: 2, dst: 64, beats: 2 }, ...Array.from({ length: 30 }, () => ({ start: 0 }))], { resetCycles: 1, allowX: true });
      expect(s[0]!.error).toBe(0);
      expect(s[s.length - 1]!.error).toBe(1);
    } finally {
      await sim.close();
    }
  }, 60_000);

  it("passes iverilog -Wall, verilator --lint-only -Wall and yosys check", async () => {
    const d = elaborate(CopyTop, { bytesPerCycle: 2.5, latency: 7, burstBeats: 5 });
    await expectCleanVerilog(d.verilog, d.top);
  }, 120_000);
});

const StrobeTop = defineModule("StrobeTop", () => {
  const start = Input(Bool());
  const dst = Input(UInt(16));
  const beats = Input(UInt(12));
  const inValid = Input(Bool());
  const inData = Input(UInt(32));
  const inStrb = Input(UInt(4));
  const inReady = Output(Bool());
  const busy = Output(Bool());
  const writer = burstWriterWithStrobes({ port: PORT, burstBeats: 2, countBits: 12 });
  const mem = BurstMemory.instance({ port: PORT, words: WORDS, bytesPerCycle: 4, latency: 3 });
  writer.cmd.valid.assign(start);
  writer.cmd.bits.addr.assign(dst);
  writer.cmd.bits.beats.assign(beats);
  const toWriter = writer.in;
  toWriter.valid.assign(inValid);
  toWriter.bits.data.assign(inData);
  toWriter.bits.strb.assign(inStrb);
  inReady.assign(toWriter.ready);
  busy.assign(writer.busy);
  connect(mem.port.aw, writer.aw);
  connect(mem.port.w, writer.w);
  connect(writer.b, mem.port.b);
  idleRead(mem.port);
  return { start, dst, beats, inValid, inData, inStrb, inReady, busy, ...debugPort(mem, 9, 32) };
});

describe("BurstWriter with byte strobes", () => {
  for (const backend of BACKENDS) {
    it(`${backend}: a byte whose strobe is low keeps its old value`, async () => {
      const old = [0x11223344, 0x55667788, 0x99aabbcc, 0xddeeff00, 0x01020304];
      const beats = [[0xa1a2a3a4, 0b0001], [0xb1b2b3b4, 0b1010], [0xc1c2c3c4, 0b1111], [0xd1d2d3d4, 0b0000], [0xe1e2e3e4, 0b0110]] as const;
      const sim = await simulate(elaborate(StrobeTop, {}), { backend });
      try {
        await sim.batch(old.map((d, i) => ({ dbg_we: 1, dbg_addr: 20 + i, dbg_wdata: d })), { resetCycles: 1, allowX: true });
        sim.poke("dbg_we", 0);
        sim.poke("start", 1);
        sim.poke("dst", 20 * PORT.dataBytes);
        sim.poke("beats", beats.length);
        await sim.step();
        sim.poke("start", 0);
        for (const [data, strb] of beats) {
          sim.poke("inValid", 1);
          sim.poke("inData", data);
          sim.poke("inStrb", strb);
          while ((await sim.peek("inReady")) === 0) await sim.step();
          await sim.step();
        }
        sim.poke("inValid", 0);
        for (let c = 0; c < 50 && (await sim.peek("busy")) === 1; c++) await sim.step();
        expect(await sim.peek("busy")).toBe(0);
        const back = await sim.batch(old.map((_, i) => ({ dbg_addr: 20 + i })));
        const merge = (o: number, d: number, strb: number): number => {
          let v = 0;
          for (let b = 0; b < 4; b++) v += (((strb >> b) & 1 ? d : o) >>> (8 * b)) % 256 * 2 ** (8 * b);
          return v;
        };
        expect(back.map((s) => Number(s.dbg_data))).toEqual(old.map((o, i) => merge(o, beats[i]![0], beats[i]![1])));
      } finally {
        await sim.close();
      }
    }, 60_000);
  }
});

describe("burst block parameters", () => {
  it("bandwidthFraction finds the smallest denominator", () => {
    expect(bandwidthFraction(2.5)).toEqual({ num: 5, den: 2 });
    expect(bandwidthFraction(64)).toEqual({ num: 64, den: 1 });
    expect(bandwidthFraction(Math.PI)).toBeUndefined();
  });

  it("errors name the generator and the line that placed it", () => {
    const Bad = defineModule("BadBurst", () => {
      BurstMemory.instance({ port: PORT, words: 16, bytesPerCycle: Math.PI, latency: 1 }); // line marker: bad-bandwidth
      return {};
    });
    expect(() => elaborate(Bad, {})).toThrow(/burst\.test\.ts:\d+: BurstMemory: bytesPerCycle must be a positive number with a denominator of at most 256, got 3\.14159/);
    const BadReader = defineModule("BadReader", () => {
      BurstReader.instance({ port: PORT, burstBeats: 17 });
      return {};
    });
    expect(() => elaborate(BadReader, {})).toThrow(/burst\.test\.ts:\d+: BurstReader: burstBeats must be an integer in 1\.\.16, got 17/);
    const NarrowCount = defineModule("NarrowCount", () => {
      BurstWriter.instance({ port: PORT, burstBeats: 16, countBits: 4 });
      return {};
    });
    expect(() => elaborate(NarrowCount, {})).toThrow(/burst\.test\.ts:\d+: BurstWriter: countBits = 4 cannot count one burst of 16 beats: use at least 5, or shorter bursts \(burstBeats\)/);
  });
});
