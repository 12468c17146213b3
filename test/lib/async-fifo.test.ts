/**
 * AsyncFifo between two clocks of unrelated periods on both simulators: random writes and reads
 * with random back-pressure on each side; every word read is the next word written (none lost,
 * duplicated or reordered), the FIFO never takes a word while full nor gives one while empty,
 * and it fills to its depth. Its Verilog through the three tools; Yosys resources.
 */
import { describe, expect, it } from "vitest";
import { UInt, elaborate } from "../../hdl/core";
import { AsyncFifo } from "../../hdl/lib";
import { simulate, type Backend } from "../../sim";
import { synthesize } from "../../synth";
import { rng } from "../helpers/rng";
import { expectCleanVerilog } from "../helpers/verilog-tools";

async function run(backend: Backend, periods: { enq_clock: number; deq_clock: number }, pValid: number, pReady: number, seed: number): Promise<{ written: number[]; read: number[]; maxHeld: number }> {
  const d = elaborate(AsyncFifo, { type: UInt(16), depth: 8 });
  const sim = await simulate(d, { backend });
  const r = rng(seed);
  const written: number[] = [];
  const read: number[] = [];
  let maxHeld = 0;
  try {
    // both resets held while each clock has several edges: the pointers reset, then each side's
    // synchroniser takes the other side's reset pointer
    sim.poke("enq_reset", 1);
    sim.poke("deq_reset", 1);
    await sim.runClocks(periods, 5 * Math.max(periods.enq_clock, periods.deq_clock));
    sim.poke("enq_reset", 0);
    sim.poke("deq_reset", 0);
    let next = 1;
    await sim.runClocks(periods, 4000, async (clock) => {
      if (clock === "enq_clock") {
        // the word offered now is taken at this edge if ready is high
        const valid = r() < pValid ? 1 : 0;
        sim.poke("enq_valid", valid);
        sim.poke("enq_bits", next);
        if (valid && (await sim.peek("enq_ready")) === 1) written.push(next++);
      } else {
        const ready = r() < pReady ? 1 : 0;
        sim.poke("deq_ready", ready);
        if (ready && (await sim.peek("deq_valid")) === 1) read.push(await sim.peek("deq_bits"));
      }
      maxHeld = Math.max(maxHeld, written.length - read.length);
    });
  } finally {
    await sim.close();
  }
  return { written, read, maxHeld };
}

describe("AsyncFifo", () => {
  for (const backend of ["iverilog", "verilator", "js"] as Backend[]) {
    for (const [name, periods, pv, pr] of [
      ["fast writer (7 vs 10), slow reader", { enq_clock: 7, deq_clock: 10 }, 0.9, 0.5],
      ["slow writer (13 vs 5), fast reader", { enq_clock: 13, deq_clock: 5 }, 0.7, 0.9],
    ] as const) {
      it(`${backend}, ${name}: every word once and in order`, async () => {
        const { written, read, maxHeld } = await run(backend, periods, pv, pr, 3);
        expect(written.length).toBeGreaterThan(100);
        expect(read).toEqual(written.slice(0, read.length));
        expect(written.length - read.length).toBeLessThanOrEqual(8);
        if (name.startsWith("fast writer")) expect(maxHeld).toBe(8); // it fills up to its depth
      });
    }
  }
  it("is clean in iverilog, Verilator and Yosys; Yosys resources (16 x 32)", async () => {
    const d = elaborate(AsyncFifo, { type: UInt(32), depth: 16 });
    await expectCleanVerilog(d.verilog, d.top);
    const r = await synthesize(d, { native: true });
    console.log(`AsyncFifo 16 x 32: ${r.lut} LUT, ${r.ff} FF, ${r.lutramLuts} LUT-RAM LUTs, ${r.bram18Equivalent} RAMB18`);
    expect(r.ff).toBeGreaterThanOrEqual(30); // four 5-bit pointers and two 2-stage synchronisers of 5 bits, less what Yosys merges
    expect(r.bram18Equivalent).toBe(0);
  });
  it("rejects a depth that is not a power of two", () => {
    expect(() => elaborate(AsyncFifo, { type: UInt(8), depth: 6 })).toThrow(/async-fifo\.test\.ts:\d+: AsyncFifo: depth must be a power of two >= 2, got 6/);
  });
});
