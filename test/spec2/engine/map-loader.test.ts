/**
 * MapLoader on both simulators: maps of different run-time shapes, in a BurstMemory as the layout
 * rule says (computed here; packed rows and rows padded with random words), come out as the tiler's load beats, row by row in beats
 * of loadWords words, under random back-pressure and a slow memory; `last` on the final beat.
 * Also bands: h rows from row r0 of every channel of a taller stored map (the channel stride of
 * the whole map, first words anywhere in a beat), the other rows' words never coming out.
 */
import { describe, expect, it } from "vitest";
import { Bool, Input, Output, SInt, UInt, Vec, connect, defineModule, elaborate } from "../../../hdl/core";
import { BurstMemory, type BurstPortParams } from "../../../hdl/lib";
import { MapLoader } from "../../../hdl/spec2/engine/map-loader";
import { simulate, type Backend, type Stimulus } from "../../../sim";
import { rng } from "../../helpers/rng";
import { debugPort, idleWrite } from "../../helpers/burst-memory";
import { expectCleanVerilog } from "../../helpers/verilog-tools";

const PORT: BurstPortParams = { addrBits: 16, dataBytes: 8, lenBits: 3 }; // 4 words of 16 bits per beat
const LOAD = 3;

const LoaderTop = defineModule("LoaderTop", (q: { bytesPerCycle: number }) => {
  const start = Input(Bool());
  const addr = Input(UInt(16));
  const c = Input(UInt(4));
  const h = Input(UInt(5));
  const w = Input(UInt(5));
  const pitch = Input(UInt(6));
  const first = Input(UInt(11));
  const stride = Input(UInt(11));
  const outReady = Input(Bool());
  const taken = Output(Bool());
  const outValid = Output(Bool());
  const outLast = Output(Bool());
  const outData = Output(Vec(LOAD, SInt(16)));
  const busy = Output(Bool());
  const loader = MapLoader.instance({ port: PORT, loadWords: LOAD, maxChannels: 15, maxHeight: 31, maxWidth: 31 });
  const mem = BurstMemory.instance({ port: PORT, words: 512, bytesPerCycle: q.bytesPerCycle, latency: 5 });
  loader.cmd.valid.assign(start);
  loader.cmd.bits.addr.assign(addr);
  loader.cmd.bits.c.assign(c);
  loader.cmd.bits.h.assign(h);
  loader.cmd.bits.w.assign(w);
  loader.cmd.bits.pitch.assign(pitch);
  loader.cmd.bits.first.assign(first);
  loader.cmd.bits.stride.assign(stride);
  taken.assign(loader.cmd.ready);
  connect(mem.port.ar, loader.ar);
  connect(loader.r, mem.port.r);
  idleWrite(mem.port);
  loader.out.ready.assign(outReady);
  outValid.assign(loader.out.valid);
  outLast.assign(loader.out.bits.last);
  for (let i = 0; i < LOAD; i++) outData.at(i).assign(loader.out.bits.data.at(i));
  busy.assign(loader.busy);
  const dbg = debugPort(mem, 9, 64);
  return { start, addr, c, h, w, pitch, first, stride, outReady, ...dbg, taken, outValid, outLast, outData, busy };
});

interface MapCase {
  readonly base: number; // beat index
  readonly c: number;
  readonly h: number;
  readonly w: number;
  /** words from one row's start to the next's (w: packed) */
  readonly pitch: number;
  /** a band: the stored map has mapH rows per channel, rows r0..r0+h-1 are loaded (default: h, 0) */
  readonly mapH?: number;
  readonly r0?: number;
}

const storedRows = (m: MapCase): number => m.mapH ?? m.h;
const firstRow = (m: MapCase): number => m.r0 ?? 0;

/** The load beats of a map (`map` holds c x mapH x w words): [words of the beat (only the row's), last]. */
function expectedBeats(map: readonly number[], m: MapCase): [number[], boolean][] {
  const beats: [number[], boolean][] = [];
  for (let ch = 0; ch < m.c; ch++)
    for (let r = 0; r < m.h; r++)
      for (let col = 0; col < m.w; col += LOAD) {
        const row = ch * storedRows(m) + firstRow(m) + r;
        const words = map.slice(row * m.w + col, row * m.w + Math.min(col + LOAD, m.w));
        beats.push([words, ch === m.c - 1 && r === m.h - 1 && col + LOAD >= m.w]);
      }
  return beats;
}

/** Memory beats holding `map` by the layout rule, padding words random: word j of a beat in bits [16 j, 16 j + 16). */
function packMap(map: readonly number[], m: MapCase, r: () => number): bigint[] {
  const words = Array.from({ length: m.c * storedRows(m) * m.pitch }, () => Math.floor(r() * 65536));
  for (let row = 0; row < m.c * storedRows(m); row++) for (let col = 0; col < m.w; col++) words[row * m.pitch + col] = map[row * m.w + col]!;
  const beats: bigint[] = [];
  for (let i = 0; i < words.length; i += 4) {
    let b = 0n;
    for (let j = 0; j < 4 && i + j < words.length; j++) b |= BigInt.asUintN(16, BigInt(words[i + j]!)) << BigInt(16 * j);
    beats.push(b);
  }
  return beats;
}

async function runMaps(backend: Backend, cases: readonly MapCase[], bytesPerCycle: number, seed: number): Promise<void> {
  const r = rng(seed);
  const maps = cases.map((m) => Array.from({ length: m.c * storedRows(m) * m.w }, () => Math.floor(r() * 65536) - 32768));
  const sim = await simulate(elaborate(LoaderTop, { bytesPerCycle }), { backend });
  try {
    const fill: Stimulus[] = [];
    cases.forEach((m, k) => packMap(maps[k]!, m, r).forEach((b, i) => fill.push({ dbg_we: 1, dbg_addr: m.base + i, dbg_wdata: b })));
    await sim.batch(fill, { resetCycles: 1, allowX: true });
    sim.poke("dbg_we", 0);
    for (const [k, m] of cases.entries()) {
      sim.poke("start", 1);
      sim.poke("addr", m.base * PORT.dataBytes);
      sim.poke("c", m.c);
      sim.poke("h", m.h);
      sim.poke("w", m.w);
      sim.poke("pitch", m.pitch);
      sim.poke("first", firstRow(m) * m.pitch);
      sim.poke("stride", storedRows(m) * m.pitch);
      expect(await sim.peek("taken")).toBe(1);
      await sim.step();
      sim.poke("start", 0);
      const want = expectedBeats(maps[k]!, m);
      const got: [number[], boolean][] = [];
      for (let cyc = 0; got.length < want.length && cyc < 20 * want.length + 100; cyc++) {
        const ready = r() < 0.7 ? 1 : 0;
        sim.poke("outReady", ready);
        const s = await sim.peekAll({ allowX: true });
        if (s.outValid === 1 && ready === 1) {
          const n = want[got.length]![0].length;
          got.push([Array.from({ length: n }, (_, i) => Number(s[`outData_${i}`])), s.outLast === 1]);
        }
        await sim.step();
      }
      expect(got, `map ${k} (${m.c} x ${m.h} x ${m.w})`).toEqual(want);
      sim.poke("outReady", 0);
      await sim.step(2);
      expect(await sim.peek("busy")).toBe(0);
    }
  } finally {
    await sim.close();
  }
}

describe("MapLoader", () => {
  const cases: MapCase[] = [
    { base: 3, c: 2, h: 3, w: 5, pitch: 5 },
    { base: 40, c: 1, h: 4, w: 7, pitch: 8 },
    { base: 100, c: 3, h: 2, w: 2, pitch: 5 },
    { base: 200, c: 1, h: 1, w: 1, pitch: 1 },
    { base: 300, c: 2, h: 2, w: 6, pitch: 6 },
    { base: 340, c: 2, h: 3, w: 3, pitch: 4 },
    // bands of taller maps: first words at every offset in a beat
    { base: 360, c: 3, h: 4, w: 5, pitch: 6, mapH: 9, r0: 2 },
    { base: 410, c: 2, h: 2, w: 7, pitch: 7, mapH: 7, r0: 5 },
    { base: 440, c: 4, h: 3, w: 3, pitch: 3, mapH: 5, r0: 1 },
    { base: 460, c: 3, h: 1, w: 2, pitch: 5, mapH: 4, r0: 3 },
  ];
  for (const backend of ["iverilog", "verilator"] as const) {
    it(`${backend}: maps of run-time shapes stream as load beats (fast and slow memory, random back-pressure)`, async () => {
      await runMaps(backend, cases, 16, 5);
      await runMaps(backend, cases, 1.5, 6);
    }, 120_000);
  }

  it("passes iverilog -Wall, verilator --lint-only -Wall and yosys check", async () => {
    const d = elaborate(LoaderTop, { bytesPerCycle: 8 });
    await expectCleanVerilog(d.verilog, d.top);
  }, 120_000);
});
