import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ElaboratedDesign } from "../../hdl/core/design";
import { buildVerilator, runBatch, simulate, type Backend, type Sample, type Simulation, type Stimulus } from "../../sim/index";
import { adder, counter, memory, wide } from "./fixtures";
import { adderModel, counterModel, memoryModel, rng, runModel, wideModel, type Model } from "./models";

const backends: Backend[] = ["iverilog", "verilator"];

/** poke / peekAll / step per cycle, comparing with the model every cycle. */
async function cosim(sim: Simulation, model: Model, stimulus: readonly Stimulus[]): Promise<void> {
  const cur: Record<string, number | bigint> = {};
  for (const [k, s] of stimulus.entries()) {
    for (const [name, v] of Object.entries(s)) {
      sim.poke(name, v);
      cur[name] = v;
    }
    const got = await sim.peekAll();
    const want = model.outputs(cur);
    if (JSON.stringify(got, big) !== JSON.stringify(want, big)) {
      expect({ cycle: k, ...got }).toEqual({ cycle: k, ...want });
    }
    model.tick(cur);
    await sim.step();
  }
}

function big(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? `${v}n` : v;
}

function counterStim(len: number, seed: number): Stimulus[] {
  const r = rng(seed);
  return Array.from({ length: len }, (_, k) => ({
    reset: k > 0 && r.int(50) === 0 ? 1 : 0,
    en: r.int(4) ? 1 : 0,
    step: r.int(4) === 0 ? 255 : r.int(256),
  }));
}
function adderStim(len: number, seed: number): Stimulus[] {
  const r = rng(seed);
  const edge = [-2048, -1, 0, 1, 2047];
  return Array.from({ length: len }, () => ({
    a: r.int(4) ? r.signed(12) : edge[r.int(5)]!,
    b: r.int(4) ? r.signed(12) : edge[r.int(5)]!,
    u: r.int(256),
  }));
}
function wideStim(len: number, seed: number): Stimulus[] {
  const r = rng(seed);
  return Array.from({ length: len }, (_, k) => ({
    reset: k === 40 ? 1 : 0,
    load: r.int(8) === 0 ? 1 : 0,
    d: r.bits(100),
    mask: r.int(2) ? r.bits(100) : 0n,
  }));
}
function memoryStim(len: number, seed: number): Stimulus[] {
  const r = rng(seed);
  return Array.from({ length: len }, () => ({
    we: r.int(3) === 0 ? 1 : 0,
    waddr: r.int(16),
    wdata: r.int(2 ** 31) * 2 + r.int(2),
    raddr: r.int(16),
    aaddr: r.int(2) ? r.int(16) : r.int(256),
  }));
}

interface Case {
  design: ElaboratedDesign;
  model: () => Model;
  stim: (len: number, seed: number) => Stimulus[];
  initial: Stimulus;
}
const cases: Record<string, Case> = {
  counter: { design: counter, model: counterModel, stim: counterStim, initial: { reset: 0, en: 0, step: 0 } },
  adder: { design: adder, model: adderModel, stim: adderStim, initial: {} },
  wide: { design: wide, model: wideModel, stim: wideStim, initial: { reset: 0, load: 0, d: 0n, mask: 0n } },
  memory: { design: memory, model: memoryModel, stim: memoryStim, initial: {} },
};

describe.each(backends)("%s backend", (backend) => {
  describe.each(Object.keys(cases))("%s fixture", (name) => {
    const c = cases[name]!;
    it("matches the TypeScript model with poke/peek/step and random stimulus", async () => {
      const sim = await simulate(c.design, { backend });
      try {
        const model = c.model();
        if (c.design.reset) {
          await sim.reset();
          model.tick({ ...c.initial, reset: 1 });
        }
        if (name === "memory") {
          // rdata is a register without reset: one clock edge defines it.
          sim.poke("raddr", 0);
          await sim.step();
          model.tick({ raddr: 0 });
        }
        await cosim(sim, model, c.stim(150, 1 + name.length));
      } finally {
        await sim.close();
      }
    });

    it("batch mode returns the same samples as the model", async () => {
      const stim = c.stim(3000, 99 + name.length);
      // Designs with a reset: one reset cycle first; the memory's rdata register
      // (no reset) is defined after one edge, so skip that first sample.
      const resetCycles = c.design.reset ? 1 : 0;
      const pre: Stimulus[] = name === "memory" ? [{ raddr: 0 }] : [];
      const got = await runBatch(c.design, [...pre, ...stim], { backend, resetCycles, skip: pre.length });
      const model = c.model();
      if (resetCycles) model.tick({ ...c.initial, reset: 1 });
      const want = runModel(model, [...pre, ...stim], c.initial).slice(pre.length);
      expect(got.length).toBe(stim.length);
      for (let k = 0; k < got.length; k++) {
        if (JSON.stringify(got[k], big) !== JSON.stringify(want[k], big)) {
          expect({ cycle: k, ...got[k] }).toEqual({ cycle: k, ...want[k] });
        }
      }
    });
  });

  it("peek returns numbers up to 53 bits, peekBig bigints, signed ports negative", async () => {
    const sim = await simulate(wide, { backend });
    try {
      await sim.reset(2);
      expect(sim.cycle).toBe(2);
      expect(await sim.batch([])).toEqual([]);
      sim.poke("load", 1);
      sim.poke("d", (1n << 100n) - 1n);
      await sim.step();
      expect(await sim.peekBig("q")).toBe((1n << 100n) - 1n);
      expect(await sim.peekBig("low")).toBe(-1n);
      expect(await sim.peekValue("low")).toBe(-1n);
      await expect(sim.peek("q")).rejects.toThrow(/port "q" is 100 bits wide: use peekBig\(\)/);
      expect(await sim.peek("load")).toBe(1);
    } finally {
      await sim.close();
    }
    const a = await simulate(adder, { backend });
    try {
      a.poke("a", -2048);
      a.poke("b", 0xfff); // raw bits of -1 are accepted for a signed port
      expect(await a.peek("sum")).toBe(-2049);
      expect(await a.peek("prod")).toBe(2048);
      expect(await a.peekBig("diff")).toBe(-2047n);
      expect(await a.peek("a")).toBe(-2048);
    } finally {
      await a.close();
    }
  });

  it("writes a VCD waveform to the chosen path", async () => {
    const path = join(tmpdir(), `sim-vcd-${backend}-${process.pid}`, "counter.vcd");
    rmSync(path, { force: true });
    const sim = await simulate(counter, { backend, vcd: path });
    await sim.reset();
    sim.poke("en", 1);
    sim.poke("step", 7);
    await sim.step(10);
    expect(await sim.peek("count")).toBe(70);
    await sim.close();
    expect(existsSync(path)).toBe(true);
    const vcd = readFileSync(path, "utf8");
    expect(vcd).toMatch(/\$var\s+\w+\s+16\s+\S+\s+count/);
    expect(vcd).toMatch(/\$enddefinitions/);
  });
});

describe("same testbench code on both backends", () => {
  it("gives identical samples for the same random stimulus", async () => {
    const stim = wideStim(500, 7);
    const [a, b] = await Promise.all(backends.map((backend) => runBatch(wide, stim, { backend, resetCycles: 3 })));
    expect(JSON.stringify(a, big)).toBe(JSON.stringify(b, big));
    const s: Sample = a![499]!;
    expect(typeof s.q).toBe("bigint");
  });
});

describe("Verilator build cache", () => {
  it("a second build of the same design is a cache hit", async () => {
    await buildVerilator(counter);
    const t0 = Date.now();
    const b = await buildVerilator(counter);
    expect(b.cached).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('optimize "build" (C++ at -O0) is its own cache entry and simulates the same as the default', async () => {
    const quick = await buildVerilator(wide, { optimize: "build" });
    const usual = await buildVerilator(wide);
    expect(quick.dir).not.toBe(usual.dir);
    const r = rng(11);
    const stim: Stimulus[] = Array.from({ length: 60 }, () => ({ reset: 0, load: r.int(2), d: r.bits(100), mask: r.bits(100) }));
    const [a, b] = await Promise.all([runBatch(wide, stim, { backend: "verilator", verilatorOptimize: "build", resetCycles: 1 }), runBatch(wide, stim, { backend: "verilator", resetCycles: 1 })]);
    expect(a).toEqual(b);
    const model = wideModel();
    model.tick({ reset: 1, load: 0, d: 0n, mask: 0n });
    expect(JSON.stringify(a, big)).toBe(JSON.stringify(runModel(model, stim, { reset: 0, load: 0, d: 0n, mask: 0n }), big));
  }, 120_000);
});
