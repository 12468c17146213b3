/**
 * Probes (sim/probes.ts and each backend's way of reading them): internal registers of a child
 * and of a grandchild, a child's output as the parent and the child name it, and a memory word,
 * read in batch samples and by peek on the JS backend, Icarus and Verilator, against a reference
 * model driven by the same stimulus. Bad paths fail before anything is built, with the nearest
 * names; probes cannot be poked; the Verilator build cache tells probe lists apart.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { elaborate } from "../../hdl/core";
import { Fifo } from "../../examples/fifo";
import { SimProbeError, SimUsageError, SimXError, buildVerilator, runBatch, simulate, type Backend, type Sample } from "../../sim";
import { rng, randInt } from "../helpers/rng";
import { PROBES, ProbeModel, ProbeTop, type Cycle } from "./probe-design";

const design = elaborate(ProbeTop);
const scratch = mkdtempSync(join(tmpdir(), "probes-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function stimulus(seed: number, n: number): Cycle[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => ({
    enq_valid: r() < 0.6 ? 1 : 0,
    enq_bits: randInt(r, 0, 255),
    deq_ready: r() < 0.4 ? 1 : 0,
    en: r() < 0.7 ? 1 : 0,
    step: randInt(r, -128, 127),
  }));
}

/** Checks every sample's probes against the model, stepping the model with the handshakes the samples show. */
function checkSamples(backend: Backend, cycles: readonly Cycle[], samples: readonly Sample[]): void {
  const model = new ProbeModel();
  samples.forEach((s, k) => {
    const want = model.expected(Number(s.deq_valid), cycles[k]!);
    for (const path of PROBES) {
      const w = want[path];
      // a memory word never written is X on Icarus (left out of the sample by allowX), 0 on the two-state backends
      const expected = w ?? (backend === "iverilog" ? undefined : 0);
      expect(s[path], `${path} at cycle ${k}`).toBe(expected);
    }
    model.edge(cycles[k]!, Number(s.enq_ready), Number(s.deq_valid));
  });
  // the stimulus must have exercised the state: words through the FIFO, the sum negative at some point
  expect(model.dequeued).toBeGreaterThan(10);
}

describe.each<Backend>(["js", "iverilog", "verilator"])("probes on %s", (backend) => {
  it("batch samples hold every probe, as the reference model says", async () => {
    const cycles = stimulus(5, 120);
    const samples = await runBatch(design, cycles, { backend, probes: PROBES, resetCycles: 1, allowX: ["q.storage[2]", "deq_bits"] });
    checkSamples(backend, cycles, samples);
    expect(samples.some((s) => (s["mid.leaf.acc"] as number) < 0)).toBe(true);
    expect(samples.some((s) => (s["mid.leaf.total"] as bigint) < -200n)).toBe(true);
    expect(samples.some((s) => (s["mid.leaf.history"] as bigint) >= 1n << 96n)).toBe(true);
  });

  it("peek, peekAll and tryPeek read probes; a probe cannot be poked", async () => {
    const sim = await simulate(design, { backend, probes: PROBES });
    try {
      expect(sim.probes.map((p) => [p.name, p.width, p.signed])).toContainEqual(["mid.leaf.acc", 8, true]);
      expect(sim.probes.map((p) => [p.name, p.width, p.signed])).toContainEqual(["mid.leaf.history", 100, false]);
      await expect(sim.peek("mid.leaf.history")).rejects.toThrow('probe "mid.leaf.history" is 100 bits wide: use peekBig()');
      await sim.reset();
      expect(await sim.tryPeek("q.storage[2]")).toBe(backend === "iverilog" ? undefined : 0);
      if (backend === "iverilog") {
        await expect(sim.peek("q.storage[2]")).rejects.toThrow(new SimXError("q.storage[2]", "xx", 1, "probe"));
      }
      const model = new ProbeModel();
      for (const c of stimulus(9, 30)) {
        for (const [name, v] of Object.entries(c)) sim.poke(name, v);
        const all = await sim.peekAll({ allowX: true }); // the FIFO's read data is X on Icarus until loaded
        const deqValid = await sim.peek("deq_valid");
        const want = model.expected(deqValid, c);
        expect(await sim.peek("mid.leaf.acc")).toBe(want["mid.leaf.acc"]);
        expect(await sim.peekBig("q.writePtr")).toBe(BigInt(want["q.writePtr"]!));
        expect(await sim.peekBig("mid.leaf.history")).toBe(want["mid.leaf.history"]);
        expect(await sim.peekValue("mid.leaf.total")).toBe(want["mid.leaf.total"]);
        expect(await sim.peekValue("q.stored")).toBe(want["q.stored"]);
        expect(all["mid.leaf.ticks"]).toBe(want["mid.leaf.ticks"]);
        model.edge(c, await sim.peek("enq_ready"), deqValid);
        await sim.step();
      }
      expect(() => sim.poke("q.stored", 1)).toThrow(new SimUsageError('cannot poke probe "q.stored": probes are read-only'));
      await expect(sim.peek("q.nothing")).rejects.toThrow(/no port "q.nothing" on ProbeTop; ports: .*; probes: pushing, q.stored, q.writePtr/);
    } finally {
      await sim.close();
    }
  });
});

describe("probe paths", () => {
  const reject = (probes: readonly string[], d = design) => simulate(d, { backend: "iverilog", probes, cacheDir: join(scratch, "never") });

  it("an unknown path names the nearest valid names, and nothing is built", async () => {
    await expect(reject(["q.stord"])).rejects.toThrow(
      new SimProbeError("q.stord", 'instance q (module Fifo_width8_depth4) has no signal, memory or instance "stord"', ["stored", "storage[i]"]),
    );
    await expect(reject(["q.stord"])).rejects.toThrow(
      'probe "q.stord": instance q (module Fifo_width8_depth4) has no signal, memory or instance "stord"; nearest: stored, storage[i]',
    );
    await expect(reject(["mid.leef.ticks"])).rejects.toThrow('probe "mid.leef.ticks": instance mid (module Mid) has no instance "leef"; nearest: leaf.');
    await expect(reject(["tick"])).rejects.toThrow('probe "tick": the top module ProbeTop has no signal, memory or instance "tick"; nearest: mid.leaf.ticks, mid., q., mid_en, mid_odd');
    expect(existsSync(join(scratch, "never"))).toBe(false);
  });

  it("says why a name that exists cannot be probed", async () => {
    await expect(reject(["q.storage"])).rejects.toThrow('probe "q.storage": storage is a memory of instance q (module Fifo_width8_depth4): probe one word, storage[i] with i in 0 .. 3');
    await expect(reject(["q.storage[4]"])).rejects.toThrow('probe "q.storage[4]": memory storage of instance q (module Fifo_width8_depth4) has 4 words: the word must be in 0 .. 3');
    await expect(reject(["q.stored[0]"])).rejects.toThrow('probe "q.stored[0]": stored is a signal of instance q (module Fifo_width8_depth4), not a memory: probe it without [0]');
    await expect(reject(["flipped"])).rejects.toThrow('probe "flipped": flipped is a named expression of the top module ProbeTop, not a signal (the Verilog may inline or rename it): make it a Wire to probe it');
    await expect(reject(["mid.leaf._reg"])).rejects.toThrow('probe "mid.leaf._reg": _reg is the name the language gave an unnamed signal of instance mid.leaf (module Leaf) (it changes with the design): give it a name to probe it');
    await expect(reject(["count"])).rejects.toThrow('probe "count": count is a port of ProbeTop: peek it by its name, without a probe');
    await expect(reject(["q_count.x"])).rejects.toThrow('probe "q_count.x": "q_count" is a signal of the top module ProbeTop, not an instance');
    await expect(reject(["q..x"])).rejects.toThrow('probe "q..x": expected instance names and a signal, separated by dots (e.g. "q.count" or "q.storage[3]")');
    await expect(reject(["q.stored", "q.stored"])).rejects.toThrow('probe "q.stored" is listed twice');
    await expect(reject(["stored"], { ...elaborate(Fifo, { width: 8, depth: 4 }), ir: undefined } as never)).rejects.toThrow(
      "probes need the design's IR: Fifo_width8_depth4 has only Verilog (elaborate it from TypeScript)",
    );
    expect(existsSync(join(scratch, "never"))).toBe(false);
  });
});

describe("the Verilator wrapper", () => {
  it("keeps every signal of the design in the VCD (one scope deeper)", async () => {
    const vcd = join(scratch, "probes.vcd");
    const sim = await simulate(design, { backend: "verilator", probes: ["mid.leaf.ticks"], vcd });
    await sim.reset();
    sim.poke("en", 1);
    await sim.step(3);
    expect(await sim.peek("mid.leaf.ticks")).toBe(3);
    await sim.close();
    const scopes = [...readFileSync(vcd, "utf8").matchAll(/\$scope module (\S+)/g)].map((m) => m[1]);
    expect(scopes.slice(0, 4)).toEqual(["TOP", "sim_probes", "dut", "mid"]);
    expect(readFileSync(vcd, "utf8")).toMatch(/\$var wire +8 \S+ ticks \[7:0\]/);
  });
});

describe("the build cache and probes", () => {
  it("Verilator builds one model per probe list, and finds it again", async () => {
    const all = await buildVerilator(design, { probes: PROBES });
    const one = await buildVerilator(design, { probes: ["q.stored"] });
    const none = await buildVerilator(design);
    expect(new Set([all.dir, one.dir, none.dir]).size).toBe(3);
    const again = await buildVerilator(design, { probes: ["q.stored"] });
    expect(again).toEqual({ ...one, cached: true });
  });

  it("Icarus compiles one testbench per probe list", async () => {
    const cacheDir = join(scratch, "icarus");
    for (const probes of [[], ["q.stored"], ["q.readPtr"], ["q.stored"]]) await (await simulate(design, { probes, cacheDir })).close();
    expect(readdirSync(join(cacheDir, "iverilog")).filter((n) => /^[0-9a-f]{64}$/.test(n))).toHaveLength(3);
  });
});
