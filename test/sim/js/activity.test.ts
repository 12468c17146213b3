/**
 * Activity tracking on the JS backend (sim/js/activity.ts): combinational blocks skipped while
 * nothing they read changes give the results of evaluating everything. Checked on random designs
 * against the `checkUninitialised` model (which evaluates every assignment every settle and
 * computes the same values), and on a memory written now and then and read asynchronously,
 * against a model of its own.
 */
import { describe, expect, it } from "vitest";
import { Bool, Input, Mem, Output, Reg, UInt, defineModule, elaborate, when } from "../../../hdl/core";
import { runBatch, type Stimulus } from "../../../sim";
import { generate } from "../../../sim/js/codegen";
import { Netlist } from "../../../sim/js/flatten";
import { irOf } from "../../../sim/js/model";
import { randInt, rng } from "../../helpers/rng";
import { stimulusFor } from "../three-way/compare";
import { gang } from "../three-way/gang";
import { RESET_CYCLES } from "../three-way/generator";
import { recipes } from "../three-way/recipe";

/**
 * A memory written when `we`, read asynchronously at `raddr`: the read is the only logic, so
 * only the memory's writes can make it change while `raddr` is held.
 */
const Sparse = defineModule("Sparse", () => {
  const we = Input(Bool());
  const waddr = Input(UInt(3));
  const wdata = Input(UInt(8));
  const raddr = Input(UInt(3));
  const word = Output(UInt(8));
  const mem = Mem(8, UInt(8));
  when(we, () => mem.write(waddr, wdata));
  word.assign(mem.readAsync(raddr));
  return { we, waddr, wdata, raddr, word };
});

/** A register loaded now and then, read through logic together with a free-running one. */
const Held = defineModule("Held", () => {
  const load = Input(Bool());
  const d = Input(UInt(8));
  const q = Output(UInt(9));
  const ticks = Output(UInt(8));
  const r = Reg(UInt(8), { init: 0 });
  const t = Reg(UInt(8), { init: 0 });
  when(load, () => r.assign(d));
  t.assign(t.addWrap(1));
  q.assign(r.add(1));
  ticks.assign(t.xor(r));
  return { load, d, q, ticks };
});

describe("JS backend activity tracking", () => {
  it("is in the plain model, not in the checked one", () => {
    const net = (): Netlist => new Netlist(irOf(elaborate(Sparse)));
    expect(generate(net()).source).toMatch(/if \(D\[0\] !== 0\) \{/);
    expect(generate(net(), { checkUninitialised: true }).source).not.toMatch(/\bD\[/);
    expect(generate(net(), { activity: false }).source).not.toMatch(/\bD\[/);
  });

  it("a memory written every few cycles, read at a held address: outputs as the model's", async () => {
    const r = rng(5);
    const stim: Stimulus[] = Array.from({ length: 400 }, (_, k) => ({
      we: randInt(r, 0, 6) === 0 ? 1 : 0,
      waddr: randInt(r, 0, 7),
      wdata: randInt(r, 0, 255),
      raddr: k % 50 < 25 ? 3 : randInt(r, 0, 7), // held for 25 cycles at a time
    }));
    const out = await runBatch(elaborate(Sparse), stim, { backend: "js" });
    const mem = new Array<number>(8).fill(0);
    stim.forEach((s, k) => {
      expect(out[k], `cycle ${k}`).toEqual({ word: mem[s.raddr as number]! });
      if (s.we === 1) mem[s.waddr as number] = s.wdata as number;
    });
  });

  it("a register loaded now and then: outputs as the model's", async () => {
    const r = rng(9);
    const stim: Stimulus[] = Array.from({ length: 300 }, () => ({ load: randInt(r, 0, 9) === 0 ? 1 : 0, d: randInt(r, 0, 255) }));
    const out = await runBatch(elaborate(Held), stim, { backend: "js", resetCycles: 1 });
    let reg = 0;
    stim.forEach((s, k) => {
      expect(out[k], `cycle ${k}`).toEqual({ q: reg + 1, ticks: (k & 255) ^ reg });
      if (s.load === 1) reg = s.d as number;
    });
  });

  it("random designs: the same outputs as evaluating everything every cycle", async () => {
    const d = gang(recipes(25, 7));
    const stim = stimulusFor(d, 7, 200);
    const opts = { backend: "js", resetCycles: RESET_CYCLES, allowX: true } as const;
    const [active, full] = await Promise.all([runBatch(d, stim, opts), runBatch(d, stim, { ...opts, checkUninitialised: "report" })]);
    const outputs = d.ports.filter((p) => p.direction === "output").map((p) => p.name);
    let compared = 0;
    for (let k = 0; k < stim.length; k++) {
      for (const port of outputs) {
        if (!(port in full[k]!)) continue; // unknown in the checked model: left out by allowX
        expect(active[k]![port], `${port} at cycle ${k}`).toBe(full[k]![port]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(outputs.length * stim.length * 0.9);
  });
});
