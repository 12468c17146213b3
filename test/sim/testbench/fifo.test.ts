/**
 * The testbench layer on the FIFO example, on both simulators: a producer and a consumer forked
 * on one clock with random stalls on both sides; every word arrives once, in order (the model is
 * the list of words sent). Also: the clock advances once per step however many processes step it.
 */
import { describe, expect, it } from "vitest";
import { elaborate } from "../../../hdl/core";
import { Fifo } from "../../../examples/fifo";
import { DecoupledDriver, DecoupledMonitor, DecoupledSink, testbench, type Backend } from "../../../sim/index";
import { rng, randInt } from "../../helpers/rng";

describe.each<Backend>(["iverilog", "verilator"])("FIFO testbench on %s", (backend) => {
  it("a producer and a consumer on one clock move every word once, in order", async () => {
    const r = rng(14);
    const words = Array.from({ length: 60 }, () => randInt(r, 0, 255));
    const tb = await testbench(elaborate(Fifo, { width: 8, depth: 4 }), { backend });
    const monitor = new DecoupledMonitor(tb, tb.io.deq);
    const received: number[] = [];
    await tb.run(async () => {
      await tb.reset();
      const enq = new DecoupledDriver(tb, tb.io.enq, { stallProbability: 0.3, random: r, timeoutCycles: 50 });
      const deq = new DecoupledSink(tb, tb.io.deq, { stallProbability: 0.5, random: r, timeoutCycles: 50 });
      const producer = tb.fork(() => enq.enqueueAll(words), "producer");
      const consumer = tb.fork(async () => {
        for (let i = 0; i < words.length; i++) received.push((await deq.dequeue()) as number);
      }, "consumer");
      await tb.join(producer, consumer);
      await tb.io.count.expect(0);
    });
    expect(received).toEqual(words);
    expect(monitor.transfers.map((t) => t.bits)).toEqual(words);
    // strictly increasing cycles: one word per edge at most
    expect(monitor.transfers.every((t, i) => i === 0 || t.cycle > monitor.transfers[i - 1]!.cycle)).toBe(true);
  });

  it("advances the clock once per step, whichever processes step it", async () => {
    const tb = await testbench(elaborate(Fifo, { width: 8, depth: 4 }), { backend });
    const seen: number[][] = [[], []];
    await tb.run(async () => {
      const a = tb.fork(async () => {
        for (let i = 0; i < 5; i++) {
          seen[0]!.push(tb.cycle);
          await tb.clock.step();
        }
      });
      const b = tb.fork(async () => {
        for (let i = 0; i < 5; i++) {
          seen[1]!.push(tb.cycle);
          await tb.clock.step();
        }
      });
      await tb.join(a, b);
      expect(tb.cycle).toBe(5);
    });
    expect(seen).toEqual([
      [0, 1, 2, 3, 4],
      [0, 1, 2, 3, 4],
    ]);
  });

  it("abandons processes still running when main returns", async () => {
    const tb = await testbench(elaborate(Fifo, { width: 8, depth: 4 }), { backend });
    let edges = 0;
    await tb.run(async () => {
      tb.fork(async () => {
        for (;;) {
          await tb.clock.step();
          edges++;
        }
      });
      await tb.clock.step(3);
    });
    expect(edges).toBe(3);
  });
});
