/**
 * `checkUninitialised` on the JS backend: reads of never-written registers and memory words are
 * reported ("error": SimUninitialisedReadError; "report": `sim.uninitialisedReads()`), reset and
 * initial contents make them known, the option is checked per backend, and off it changes
 * nothing in the compiled model.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bool, Input, Mem, Output, Reg, UInt, assert, clockDomain, defineModule, elaborate, mux, when, withClockDomain } from "../../../hdl/core";
import { SimUninitialisedReadError, SimUsageError, runBatch, simulate, testbench, type Stimulus } from "../../../sim";
import { generate } from "../../../sim/js/codegen";
import { Netlist } from "../../../sim/js/flatten";
import { compileDesign, irOf } from "../../../sim/js/model";
import { markedLine } from "../../helpers/markers";
import { rng } from "../../helpers/rng";

const FILE = "test/sim/js/uninit-check.test.ts";

/** `q` loads `d` when `load`; with `withInit`, it also has a reset value. */
const Holder = defineModule("Holder", (p: { withInit: boolean }) => {
  const load = Input(Bool());
  const d = Input(UInt(8));
  const q = Output(UInt(8));
  const r = Reg(UInt(8), p.withInit ? { init: 0 } : {}); // REG: r
  when(load, () => r.assign(d));
  q.assign(r);
  return { load, d, q };
});

const Parent = defineModule("Parent", () => {
  const load = Input(Bool());
  const d = Input(UInt(8));
  const q = Output(UInt(8));
  const inner = Holder.instance({ withInit: false });
  inner.load.assign(load);
  inner.d.assign(d);
  q.assign(inner.q);
  return { load, d, q };
});

/** A RAM with an asynchronous and a synchronous read; `init` fills every word. */
const Ram = defineModule("Ram", (p: { init: boolean }) => {
  const we = Input(Bool());
  const wa = Input(UInt(3));
  const wd = Input(UInt(8));
  const ra = Input(UInt(3));
  const q = Output(UInt(8));
  const qs = Output(UInt(8));
  const mem = Mem(8, UInt(8), p.init ? { init: [1, 2, 3, 4, 5, 6, 7, 8] } : {}); // MEM: mem
  mem.write(wa, wd, { enable: we });
  q.assign(mem.readAsync(ra));
  const word = mem.readSync(ra); // PORT: word
  qs.assign(word);
  return { we, wa, wd, ra, q, qs };
});

/** An unwritten register behind a mux: `y` reads it only when `sel`. */
const Select = defineModule("Select", () => {
  const sel = Input(Bool());
  const y = Output(UInt(8));
  const junk = Reg(UInt(8)); // REG: junk
  const good = Reg(UInt(8), { init: 7 });
  y.assign(mux(sel, junk, good));
  return { sel, y };
});

async function errorOf(p: Promise<unknown>): Promise<SimUninitialisedReadError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(SimUninitialisedReadError);
  return e as SimUninitialisedReadError;
}

describe("checkUninitialised: registers", () => {
  it("a register without init read before it is written is an error naming it, the cycle and its line", async () => {
    const sim = await simulate(elaborate(Holder, { withInit: false }), { backend: "js", checkUninitialised: "error" });
    try {
      await sim.step(2);
      const e = await errorOf(sim.peek("q"));
      const site = markedLine(FILE, "REG", "r");
      expect(e.message).toBe(`output "q" is uninitialised at cycle 2: it depends on register Holder_withInit0.r (${site}), never written`);
      expect([e.reader, e.cycle, e.source, e.site]).toEqual(['output "q"', 2, "register Holder_withInit0.r", site]);
      // the session goes on: a write makes it known
      sim.poke("load", 1);
      sim.poke("d", 42);
      await sim.step();
      expect(await sim.peek("q")).toBe(42);
    } finally {
      await sim.close();
    }
  });

  it("the same register with a reset value is known after reset, and unknown before it", async () => {
    const design = elaborate(Holder, { withInit: true });
    const sim = await simulate(design, { backend: "js", checkUninitialised: "error" });
    try {
      await expect(sim.peek("q")).rejects.toThrow(/^output "q" is uninitialised at cycle 0: it depends on register Holder_withInit1\.r/);
      await sim.reset();
      expect(await sim.peek("q")).toBe(0);
      await sim.step(3);
      expect(await sim.peek("q")).toBe(0);
    } finally {
      await sim.close();
    }
    const samples = await runBatch(design, [{}, { load: 1, d: 5 }, {}], { backend: "js", checkUninitialised: "error", resetCycles: 1 });
    expect(samples).toEqual([{ q: 0 }, { q: 0 }, { q: 5 }]);
  });

  it("names the register by its instance path inside a hierarchy", async () => {
    const e = await errorOf(runBatch(elaborate(Parent), [{}, {}], { backend: "js", checkUninitialised: "error" }));
    expect(e.message).toBe(`output "q" is uninitialised at cycle 0: it depends on register Parent.inner.r (${markedLine(FILE, "REG", "r")}), never written`);
  });

  it('"report" collects each reader once and changes no value; allowX leaves unknown outputs out as on Icarus', async () => {
    const design = elaborate(Holder, { withInit: false });
    const stim: Stimulus[] = [{}, {}, { load: 1, d: 9 }, {}, {}];
    const sim = await simulate(design, { backend: "js", checkUninitialised: "report" });
    const samples = await sim.batch(stim);
    expect(samples).toEqual([{ q: 0 }, { q: 0 }, { q: 0 }, { q: 9 }, { q: 9 }]);
    expect(sim.uninitialisedReads()).toEqual([{ reader: 'output "q"', cycle: 0, source: "register Holder_withInit0.r", site: markedLine(FILE, "REG", "r") }]);
    await sim.close();
    expect(await runBatch(design, stim, { backend: "js", checkUninitialised: "report", allowX: ["q"] })).toEqual([{}, {}, {}, { q: 9 }, { q: 9 }]);
    expect(await runBatch(design, stim, { backend: "js", checkUninitialised: "error", skip: 3 })).toEqual([{ q: 9 }, { q: 9 }]);
    const s2 = await simulate(design, { backend: "js", checkUninitialised: "error" });
    expect(await s2.tryPeek("q")).toBeUndefined();
    expect(await s2.peekAll({ allowX: true })).toEqual({});
    await s2.close();
  });

  it("an unwritten register behind a mux that does not select it is not reported; selected, it is", async () => {
    const sim = await simulate(elaborate(Select), { backend: "js", checkUninitialised: "error" });
    try {
      await sim.reset();
      await sim.step(3);
      expect(await sim.peek("y")).toBe(7);
      sim.poke("sel", 1);
      const e = await errorOf(sim.peek("y"));
      expect(e.message).toBe(`output "y" is uninitialised at cycle 4: it depends on register Select.junk (${markedLine(FILE, "REG", "junk")}), never written`);
    } finally {
      await sim.close();
    }
  });

  it("an asynchronous reset makes its register known at once, without an edge", async () => {
    const Async = defineModule("Async", () => {
      const clk = Input(Bool());
      const rst = Input(Bool());
      const q = Output(UInt(4));
      const domain = clockDomain({ clock: clk, reset: rst, resetKind: "async" });
      withClockDomain(domain, () => {
        const r = Reg(UInt(4), { init: 9 });
        r.assign(r.addWrap(1));
        q.assign(r);
      });
      return { clk, rst, q };
    });
    const sim = await simulate(elaborate(Async), { backend: "js", checkUninitialised: "error" });
    try {
      await expect(sim.peek("q")).rejects.toThrow(/^output "q" is uninitialised at cycle 0: it depends on register Async\.r/);
      sim.poke("rst", 1);
      expect(await sim.peek("q")).toBe(9);
      sim.poke("rst", 0);
      await sim.step(2, { clock: "clk" });
      expect(await sim.peek("q")).toBe(11);
    } finally {
      await sim.close();
    }
  });

  it("probes are read without the check", async () => {
    const sim = await simulate(elaborate(Holder, { withInit: false }), { backend: "js", checkUninitialised: "error", probes: ["r"] });
    try {
      expect(await sim.peek("r")).toBe(0);
      await expect(sim.peek("q")).rejects.toThrow(SimUninitialisedReadError);
      expect(await sim.peekAll({ allowX: true })).toEqual({ r: 0 });
    } finally {
      await sim.close();
    }
  });

  it("works through the testbench's handles", async () => {
    const tb = await testbench(elaborate(Select), { backend: "js", checkUninitialised: "error" });
    await expect(
      tb.run(async () => {
        await tb.reset();
        await tb.io.y.expect(7);
        tb.io.sel.poke(1);
        await tb.io.y.peek();
      }),
    ).rejects.toThrow(/^output "y" is uninitialised at cycle 1: it depends on register Select\.junk/);
  });
});

describe("checkUninitialised: memories", () => {
  it("a memory word read before it is written is reported with its address; written words are known", async () => {
    const design = elaborate(Ram, { init: false });
    const sim = await simulate(design, { backend: "js", checkUninitialised: "error" });
    try {
      sim.poke("we", 1);
      sim.poke("wa", 3);
      sim.poke("wd", 33);
      sim.poke("ra", 3);
      await sim.step();
      sim.poke("we", 0);
      expect(await sim.peek("q")).toBe(33);
      await sim.step(); // the synchronous read of word 3, written
      expect(await sim.peek("qs")).toBe(33);
      sim.poke("ra", 5);
      const e = await errorOf(sim.peek("q"));
      expect(e.message).toBe(`output "q" is uninitialised at cycle 2: it depends on word 5 of memory Ram_init0.mem (${markedLine(FILE, "MEM", "mem")}), never written`);
      await sim.step();
      await expect(sim.peek("qs")).rejects.toThrow(`output "qs" is uninitialised at cycle 3: it depends on word 5 of memory Ram_init0.mem (${markedLine(FILE, "MEM", "mem")}), never written`);
    } finally {
      await sim.close();
    }
  });

  it("a synchronous read port is unknown until its first read", async () => {
    const sim = await simulate(elaborate(Ram, { init: true }), { backend: "js", checkUninitialised: "error" });
    try {
      expect(await sim.peek("q")).toBe(1);
      await expect(sim.peek("qs")).rejects.toThrow(`output "qs" is uninitialised at cycle 0: it depends on read port Ram_init1.word of memory Ram_init1.mem (${markedLine(FILE, "PORT", "word")}), never written`);
      await sim.step();
      expect(await sim.peek("qs")).toBe(1);
    } finally {
      await sim.close();
    }
  });

  it("a data file sets the words it lists; the others stay unknown", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "uninit-")), "rom.hex");
    writeFileSync(file, "11\n22\n");
    const FileRom = defineModule("FileRom", (p: { f: string }) => {
      const a = Input(UInt(2));
      const y = Output(UInt(8));
      y.assign(Mem(4, UInt(8), { initFile: p.f, name: "rom" }).readAsync(a));
      return { a, y };
    });
    const got = await runBatch(elaborate(FileRom, { f: file }), [0, 1, 2, 3].map((a) => ({ a })), { backend: "js", checkUninitialised: "report", allowX: true });
    expect(got).toEqual([{ y: 0x11 }, { y: 0x22 }, {}, {}]);
  });

  it("an initialised memory is known everywhere", async () => {
    const r = rng(3);
    const stim = Array.from({ length: 50 }, () => ({ we: r() < 0.3 ? 1 : 0, wa: Math.floor(r() * 8), wd: Math.floor(r() * 256), ra: Math.floor(r() * 8) }));
    const design = elaborate(Ram, { init: true });
    const on = await runBatch(design, stim, { backend: "js", checkUninitialised: "error", skip: 1 });
    expect(on).toEqual(await runBatch(design, stim, { backend: "js", skip: 1 }));
  });

  it("a write to an unknown address is reported at the edge, naming the write port's line", async () => {
    const Scatter = defineModule("Scatter", () => {
      const we = Input(Bool());
      const q = Output(UInt(8));
      const ptr = Reg(UInt(3)); // REG: ptr
      const mem = Mem(8, UInt(8), { init: [0, 0, 0, 0, 0, 0, 0, 0] });
      mem.write(ptr, 1, { enable: we }); // WRITE: scatter
      q.assign(mem.readAsync(0));
      return { we, q };
    });
    const sim = await simulate(elaborate(Scatter), { backend: "js", checkUninitialised: "error" });
    await sim.step(2);
    expect(await sim.peek("q")).toBe(0);
    sim.poke("we", 1);
    const e = await errorOf(sim.step());
    expect(e.message).toBe(
      `the write address of memory Scatter.mem (${markedLine(FILE, "WRITE", "scatter")}) is uninitialised at cycle 2: it depends on register Scatter.ptr (${markedLine(FILE, "REG", "ptr")}), never written`,
    );
    await expect(sim.peek("q")).rejects.toThrow(e.message); // the session ended
    await sim.close();
  });

  it("an assertion on an unknown value is reported before it is checked", async () => {
    const Checked = defineModule("Checked", () => {
      const go = Input(Bool());
      const y = Output(Bool());
      const flag = Reg(Bool()); // REG: flag
      when(go, () => assert(flag.eq(0), "flag stays low")); // ASSERT: flag
      y.assign(go);
      return { go, y };
    });
    const sim = await simulate(elaborate(Checked), { backend: "js", checkUninitialised: "report" });
    await sim.step(2);
    sim.poke("go", 1);
    await sim.step(2);
    await sim.close();
    expect(sim.uninitialisedReads()).toEqual([
      { reader: `the assertion at ${markedLine(FILE, "ASSERT", "flag")} (in Checked)`, cycle: 2, source: "register Checked.flag", site: markedLine(FILE, "REG", "flag") },
    ]);
  });
});

describe("checkUninitialised: the option", () => {
  it("is rejected where it cannot be checked, before anything starts", async () => {
    const d = elaborate(Select);
    await expect(simulate(d, { backend: "verilator", checkUninitialised: "error" })).rejects.toThrow(
      'checkUninitialised: backend "verilator" is two-state and cannot report uninitialised reads: use "js" (or "iverilog", which raises SimXError on X outputs)',
    );
    await expect(simulate(d, { checkUninitialised: "report" })).rejects.toThrow(
      'checkUninitialised: "report" is for backend "js"; Icarus raises SimXError on X outputs (checkUninitialised: "error", its default)',
    );
    await expect(simulate(d, { backend: "js", checkUninitialised: "yes" as "error" })).rejects.toThrow(SimUsageError);
    await expect(simulate(d, { backend: "js", checkUninitialised: "yes" as "error" })).rejects.toThrow('checkUninitialised: expected "error" or "report", got "yes"');
  });

  it("off, the compiled model is the one without the option; on, a model of its own", () => {
    const design = elaborate(Ram, { init: false });
    const plain = generate(new Netlist(irOf(design))).source;
    expect(generate(new Netlist(irOf(design)), { checkUninitialised: false }).source).toBe(plain);
    expect(compileDesign(design).source).toBe(plain);
    expect(plain).not.toMatch(/\bU[STN]\[|\bU\.|\bmu\d/);
    const on = compileDesign(design, { checkUninitialised: true });
    expect(on).not.toBe(compileDesign(design));
    expect(on.source).toContain("const mu0 = h.uninit.mems[0];");
    // the value code is the same: every line of the plain model evaluated in full (no activity
    // tracking, which the checked model does not do) is in the checked one, in order
    const holder = elaborate(Holder, { withInit: false });
    const lines = compileDesign(holder, { checkUninitialised: true }).source.split("\n");
    let k = 0;
    for (const l of generate(new Netlist(irOf(holder)), { activity: false }).source.split("\n")) {
      const at = lines.indexOf(l, k);
      expect(at, l).toBeGreaterThanOrEqual(0);
      k = at + 1;
    }
  });
});
