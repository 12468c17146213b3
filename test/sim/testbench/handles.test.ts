/**
 * Typed handles: bundle and Vec ports poked, peeked and expected as objects and arrays, types that
 * follow the design's ports (a misspelt port does not compile), and the testbench's errors pinned:
 * expect names the port, both values and the cycle; waitUntil and the cycle limit end hung runs.
 */
import { describe, expect, it } from "vitest";
import { Bundle, Input, Output, Reg, SInt, UInt, Vec, defineModule, elaborate, when } from "../../../hdl/core";
import { Fifo } from "../../../examples/fifo";
import { CheckedCounter } from "../../core/fixtures/checked-counter";
import { DecoupledSink, SimAssertionError, TestbenchCycleLimitError, TestbenchExpectError, TestbenchTimeoutError, testbench } from "../../../sim/index";

/** Sums a vector and swaps a bundle's fields, registered once. */
const Shapes = defineModule("Shapes", () => {
  const taps = Input(Vec(3, UInt(4)));
  const pair = Input(Bundle({ re: SInt(6), im: SInt(6) }));
  const sum = Output(UInt(6));
  const swapped = Output(Bundle({ re: SInt(6), im: SInt(6) }));
  const regs = Output(Vec(2, UInt(4)));
  sum.assign(taps.at(0).add(taps.at(1)).add(taps.at(2)));
  swapped.re.assign(pair.im);
  swapped.im.assign(pair.re);
  const held = Reg(Vec(2, UInt(4)), { init: 0 });
  when(taps.at(0).eq(1), () => {
    held.at(0).assign(taps.at(1));
    held.at(1).assign(taps.at(2));
  });
  regs.at(0).assign(held.at(0));
  regs.at(1).assign(held.at(1));
  return { taps, pair, sum, swapped, regs };
});

describe("typed handles", () => {
  it("pokes and peeks bundles and vectors as objects and arrays", async () => {
    const tb = await testbench(elaborate(Shapes));
    await tb.run(async () => {
      await tb.reset();
      tb.io.taps.poke([1, 7, 9]);
      tb.io.pair.poke({ re: -3, im: 12 });
      expect(await tb.io.sum.peek()).toBe(17);
      expect(await tb.io.swapped.peek()).toEqual({ re: 12, im: -3 });
      await tb.clock.step();
      expect(await tb.io.regs.peek()).toEqual([7, 9]);
      await tb.io.regs.expect([7, 9]);
      await tb.io.swapped.expect({ im: -3 });
      expect(tb.io.taps[2]!.name).toBe("taps_2");
      expect(tb.io.pair.re.path).toBe("pair.re");
    });
  });

  it("types follow the ports (checked by tsc; never run)", () => {
    const typed = async (): Promise<void> => {
      const tb = await testbench(elaborate(Fifo, { width: 8, depth: 4 }));
      tb.io.enq.valid.poke(1);
      // @ts-expect-error a misspelt port
      tb.io.enq.vaild.poke(1);
      // @ts-expect-error no such field in the bundle
      tb.io.deq.poke({ valid: 1, data: 3 });
    };
    expect(typeof typed).toBe("function");
  });
});

describe("testbench errors", () => {
  it("expect names the port, the values and the cycle", async () => {
    const tb = await testbench(elaborate(Fifo, { width: 8, depth: 4 }));
    const run = tb.run(async () => {
      await tb.reset();
      tb.io.enq.poke({ valid: 1, bits: 42 });
      await tb.clock.step(3);
      await tb.io.deq.bits.expect(41);
    });
    await expect(run).rejects.toThrow(new TestbenchExpectError("deq.bits (deq_bits)", 41n, 42n, 4).message);
    expect(new TestbenchExpectError("deq.bits (deq_bits)", 41n, 42n, 4).message).toBe("deq.bits (deq_bits): expected 41, got 42 at cycle 4");
  });

  it("waitUntil gives up after timeoutCycles", async () => {
    const tb = await testbench(elaborate(Fifo, { width: 8, depth: 4 }));
    const run = tb.run(async () => {
      await tb.reset();
      await tb.waitUntil(async () => (await tb.io.deq.valid.peek()) === 1, { timeoutCycles: 20, what: "deq valid" });
    });
    await expect(run).rejects.toBeInstanceOf(TestbenchTimeoutError);
    await expect(run).rejects.toThrow("deq valid did not happen within 20 cycles (gave up at cycle 21)");
  });

  it("the cycle limit ends a hung consumer with a clear error", async () => {
    const tb = await testbench(elaborate(Fifo, { width: 8, depth: 4 }), { maxCycles: 500 });
    const run = tb.run(async () => {
      await tb.reset();
      const deq = new DecoupledSink(tb, tb.io.deq);
      const consumer = tb.fork(async () => {
        await deq.dequeue(); // nothing is ever sent
      });
      await tb.join(consumer);
    });
    await expect(run).rejects.toBeInstanceOf(TestbenchCycleLimitError);
    await expect(run).rejects.toThrow("testbench cycle limit reached: 500 cycles (raise it with the maxCycles option); still waiting: dequeue on deq");
  });

  it("a failed assertion in the design ends the run from any process", async () => {
    const tb = await testbench(elaborate(CheckedCounter, { limit: 6 }));
    const run = tb.run(async () => {
      await tb.reset();
      const counter = tb.fork(async () => {
        tb.io.enable.poke(1);
        await tb.clock.step(20);
      });
      await tb.join(counter);
    });
    await expect(run).rejects.toBeInstanceOf(SimAssertionError);
    await expect(run).rejects.toThrow(/assertion failed at cycle 7: count below 6/);
  });
});
