/**
 * MapWriter on both simulators: the overlap-add groups of random maps (bands, channels, rows,
 * column groups; idle clocks) written to a BurstMemory filled with a background pattern; the
 * memory read back equals the layout rule computed here (word (ch, row, col) at
 * (ch x ho + row) x pitch + col, the words between wo and pitch and outside the map untouched),
 * for a fast and a slow memory.
 */
import { describe, expect, it } from "vitest";
import { Bool, Input, Output, SInt, UInt, Vec, connect, defineModule, elaborate } from "../../../hdl/core";
import { BurstMemory, type BurstPortParams } from "../../../hdl/lib";
import { MapWriter } from "../../../hdl/spec2/engine/map-writer";
import { simulate, type Backend } from "../../../sim";
import { rng } from "../../helpers/rng";
import { debugPort, idleRead } from "../../helpers/burst-memory";
import { expectCleanVerilog } from "../../helpers/verilog-tools";

const K = 8;
const PORT: BurstPortParams = { addrBits: 16, dataBytes: 32, lenBits: 4 }; // 16 words per beat
const WORDS = 256; // beats of memory
const LIMITS = { maxChannels: 7, maxHeight: 31, maxWidth: 31 };

const WriterTop = defineModule("WriterTop", (q: { bytesPerCycle: number }) => {
  const start = Input(Bool());
  const addr = Input(UInt(16));
  const c = Input(UInt(3));
  const ho = Input(UInt(5));
  const wo = Input(UInt(5));
  const pitch = Input(UInt(6));
  const bandRows = Input(UInt(5));
  const firstRows = Input(UInt(5));
  const gValid = Input(Bool());
  const gChannel = Input(UInt(3));
  const gRow = Input(UInt(5));
  const gCol = Input(UInt(5));
  const gMask = Input(UInt(K));
  const gValues = Input(Vec(K, SInt(16)));
  const gReady = Output(Bool());
  const taken = Output(Bool());
  const busy = Output(Bool());
  const error = Output(Bool());
  const writer = MapWriter.instance({ port: PORT, K, ...LIMITS });
  const mem = BurstMemory.instance({ port: PORT, words: WORDS, bytesPerCycle: q.bytesPerCycle, latency: 6 });
  writer.cmd.valid.assign(start);
  writer.cmd.bits.addr.assign(addr);
  writer.cmd.bits.c.assign(c);
  writer.cmd.bits.ho.assign(ho);
  writer.cmd.bits.wo.assign(wo);
  writer.cmd.bits.pitch.assign(pitch);
  writer.cmd.bits.bandRows.assign(bandRows);
  writer.cmd.bits.firstRows.assign(firstRows);
  taken.assign(writer.cmd.ready);
  writer.in.valid.assign(gValid);
  writer.in.bits.channel.assign(gChannel);
  writer.in.bits.row.assign(gRow);
  writer.in.bits.col.assign(gCol);
  writer.in.bits.mask.assign(gMask);
  for (let i = 0; i < K; i++) writer.in.bits.values.at(i).assign(gValues.at(i));
  gReady.assign(writer.in.ready);
  connect(mem.port.aw, writer.aw);
  connect(mem.port.w, writer.w);
  connect(writer.b, mem.port.b);
  idleRead(mem.port);
  busy.assign(writer.busy);
  error.assign(mem.error);
  return { start, addr, c, ho, wo, pitch, bandRows, firstRows, gValid, gChannel, gRow, gCol, gMask, gValues, gReady, taken, busy, error, ...debugPort(mem, 8, 256) };
});

interface MapCase {
  readonly baseBeat: number;
  readonly c: number;
  readonly ho: number;
  readonly wo: number;
  readonly bandRows: number;
  /** rows of the first band (the overlap-add's first band is k - 1 rows short); default bandRows */
  readonly firstRows?: number;
}

const background = (i: number): number => (i * 40503 + 12345) % 65536; // word i of memory before the writes
const toSigned = (v: number): number => (v >= 32768 ? v - 65536 : v);

async function run(backend: Backend, cases: readonly MapCase[], bytesPerCycle: number, seed: number): Promise<void> {
  const r = rng(seed);
  const wpb = PORT.dataBytes / 2;
  const memory = Array.from({ length: WORDS * wpb }, (_, i) => background(i));
  const sim = await simulate(elaborate(WriterTop, { bytesPerCycle }), { backend });
  try {
    const fill = Array.from({ length: WORDS }, (_, bt) => {
      let v = 0n;
      for (let j = 0; j < wpb; j++) v |= BigInt(memory[bt * wpb + j]!) << BigInt(16 * j);
      return { dbg_we: 1, dbg_addr: bt, dbg_wdata: v };
    });
    await sim.batch(fill, { resetCycles: 1, allowX: true });
    sim.poke("dbg_we", 0);
    for (const m of cases) {
      const pitch = Math.ceil(m.wo / K) * K;
      const map = Array.from({ length: m.c }, () => Array.from({ length: m.ho }, () => Array.from({ length: m.wo }, () => Math.floor(r() * 65536) - 32768)));
      for (let ch = 0; ch < m.c; ch++) for (let row = 0; row < m.ho; row++) for (let col = 0; col < m.wo; col++) memory[m.baseBeat * wpb + (ch * m.ho + row) * pitch + col] = map[ch]![row]![col]! & 0xffff;
      for (const [name, v] of [["start", 1], ["addr", m.baseBeat * PORT.dataBytes], ["c", m.c], ["ho", m.ho], ["wo", m.wo], ["pitch", pitch], ["bandRows", m.bandRows], ["firstRows", m.firstRows ?? m.bandRows]] as const) sim.poke(name, v);
      expect(await sim.peek("taken")).toBe(1);
      await sim.step();
      sim.poke("start", 0);
      const first = m.firstRows ?? m.bandRows;
      for (let band = 0; band < m.ho; band += band === 0 ? first : m.bandRows)
        for (let ch = 0; ch < m.c; ch++)
          for (let row = band; row < Math.min(band + (band === 0 ? first : m.bandRows), m.ho); row++)
            for (let col = 0; col < m.wo; col += K) {
              while (r() < 0.25) {
                sim.poke("gValid", 0);
                await sim.step();
              }
              const n = Math.min(K, m.wo - col);
              sim.poke("gValid", 1);
              sim.poke("gChannel", ch);
              sim.poke("gRow", row);
              sim.poke("gCol", col);
              sim.poke("gMask", 2 ** n - 1);
              for (let i = 0; i < K; i++) sim.poke(`gValues_${i}`, i < n ? map[ch]![row]![col + i]! : 0);
              let waited = 0;
              while ((await sim.peek("gReady")) === 0 && waited++ < 500) await sim.step();
              expect(waited).toBeLessThan(500);
              await sim.step();
            }
      sim.poke("gValid", 0);
      for (let cyc = 0; cyc < 2000 && (await sim.peek("busy")) === 1; cyc++) await sim.step();
      expect(await sim.peek("busy")).toBe(0);
    }
    expect(await sim.peek("error")).toBe(0);
    const back = await sim.batch(Array.from({ length: WORDS }, (_, bt) => ({ dbg_addr: bt })));
    const got = back.flatMap((s) => {
      const v = BigInt(s.dbg_data as bigint | number);
      return Array.from({ length: wpb }, (_, j) => Number((v >> BigInt(16 * j)) & 0xffffn));
    });
    const firstDiff = got.findIndex((v, i) => v !== memory[i]);
    expect(firstDiff === -1 ? "identical" : `word ${firstDiff}: ${toSigned(got[firstDiff]!)} vs ${toSigned(memory[firstDiff]!)}`).toBe("identical");
  } finally {
    await sim.close();
  }
}

describe("MapWriter", () => {
  const cases: MapCase[] = [
    { baseBeat: 1, c: 3, ho: 12, wo: 20, bandRows: 6 },
    { baseBeat: 60, c: 2, ho: 7, wo: 5, bandRows: 3 },
    { baseBeat: 70, c: 1, ho: 5, wo: 16, bandRows: 4 },
    { baseBeat: 80, c: 3, ho: 9, wo: 10, bandRows: 3, firstRows: 2 },
  ];
  for (const backend of ["iverilog", "verilator"] as const) {
    it(`${backend}: maps of run-time shapes land in the padded layout, nothing else touched`, async () => {
      await run(backend, cases, 64, 1);
      await run(backend, cases, 3, 2);
    }, 180_000);
  }

  it("passes iverilog -Wall, verilator --lint-only -Wall and yosys check", async () => {
    const d = elaborate(WriterTop, { bytesPerCycle: 8 });
    await expectCleanVerilog(d.verilog, d.top);
  }, 120_000);
});
