/**
 * Probe handles (sim/testbench/probes.ts): a producer and a consumer with random stalls move
 * words through the FIFO inside the probe design while a monitor expects, before every edge, the
 * internal state the reference model computes from the handshakes; on all three backends. The
 * expect error names the probe; a probe handle cannot be poked; its paths are typed.
 */
import { describe, expect, it } from "vitest";
import { elaborate } from "../../../hdl/core";
import { DecoupledDriver, DecoupledSink, SimUsageError, TestbenchExpectError, testbench, type Backend } from "../../../sim/index";
import { rng, randInt } from "../../helpers/rng";
import { PROBES, ProbeModel, ProbeTop } from "../probe-design";

const design = elaborate(ProbeTop);
const STEP = -3;

describe.each<Backend>(["js", "iverilog", "verilator"])("probe handles on %s", (backend) => {
  it("a monitor sees the FIFO's pointers, its memory and a register two levels down as the model says", async () => {
    const r = rng(21);
    const words = Array.from({ length: 40 }, () => randInt(r, 0, 255));
    const tb = await testbench(design, { backend, probes: PROBES });
    const model = new ProbeModel();
    let checked = 0;
    await tb.run(async () => {
      await tb.reset();
      tb.io.en.poke(1);
      tb.io.step.poke(STEP);
      tb.clock.beforeEachEdge(async () => {
        const deqValid = Number(await tb.io.deq.valid.peek());
        const cycle = { enq_valid: Number(await tb.io.enq.valid.peek()), enq_bits: Number(await tb.io.enq.bits.peek()), deq_ready: Number(await tb.io.deq.ready.peek()), en: 1, step: STEP };
        const want = model.expected(deqValid, cycle);
        for (const path of PROBES) {
          const w = want[path];
          if (w !== undefined) await tb.probes[path].expect(w);
        }
        model.edge(cycle, Number(await tb.io.enq.ready.peek()), deqValid);
        checked++;
      });
      const enq = new DecoupledDriver(tb, tb.io.enq, { stallProbability: 0.3, random: r, timeoutCycles: 50 });
      const deq = new DecoupledSink(tb, tb.io.deq, { stallProbability: 0.5, random: r, timeoutCycles: 50 });
      await tb.join(
        tb.fork(() => enq.enqueueAll(words), "producer"),
        tb.fork(() => deq.expectDequeueAll(words), "consumer"),
      );
    });
    expect(model.dequeued).toBe(words.length);
    expect(checked).toBeGreaterThan(words.length);
    expect(model.acc).not.toBe(0);
  });
});

describe("probe handle errors", () => {
  it("expect names the probe, the values and the cycle", async () => {
    const tb = await testbench(design, { backend: "js", probes: ["q.stored"] });
    const run = tb.run(async () => {
      await tb.reset();
      await tb.probes["q.stored"].expect(9);
    });
    await expect(run).rejects.toThrow(new TestbenchExpectError("q.stored (probe)", 9n, 0n, 1));
    expect(new TestbenchExpectError("q.stored (probe)", 9n, 0n, 1).message).toBe("q.stored (probe): expected 9, got 0 at cycle 1");
  });

  it("a probe cannot be poked", async () => {
    const tb = await testbench(design, { backend: "js", probes: ["mid.leaf.ticks"] });
    await tb.run(async () => {
      const ticks = tb.probes["mid.leaf.ticks"];
      expect([ticks.name, ticks.width, ticks.label]).toEqual(["mid.leaf.ticks", 8, "mid.leaf.ticks (probe)"]);
      expect(() => ticks.poke(1 as never)).toThrow(new SimUsageError('cannot poke probe "mid.leaf.ticks": probes are read-only'));
      expect(() => tb.sim.poke("mid.leaf.ticks", 1)).toThrow('cannot poke probe "mid.leaf.ticks": probes are read-only');
    });
  });

  it("handles are typed by the probe list (checked by tsc; never run)", () => {
    const typed = async (): Promise<void> => {
      const tb = await testbench(design, { probes: ["q.stored", "mid.leaf.acc"] });
      await tb.probes["mid.leaf.acc"].expect(-3);
      // @ts-expect-error not in the probe list
      await tb.probes["q.readPtr"].peek();
      // @ts-expect-error probes are read-only
      tb.probes["q.stored"].poke(1);
      const plain = await testbench(design);
      // @ts-expect-error no probes asked for
      await plain.probes["q.stored"].peek();
    };
    expect(typeof typed).toBe("function");
  });
});
