/**
 * prove() with yosys-smtbmc and z3: a counterexample with the failing step, the assertion's
 * file:line and message, a VCD and a per-cycle table (its values checked against a hand-worked
 * trace); a proof by k-induction; an induction too short to prove a true property (unknown);
 * a cover trace; a register without init that holds its value is free on both engines; the
 * option errors.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { elaborate } from "../../hdl/core";
import { ProveError, prove, proveDesign } from "../../synth/index";
import { CheckedCounter } from "../core/fixtures/checked-counter";
import { FreeConstant } from "./fixtures/free-constant";
import { LaggingCounter } from "./fixtures/lagging-counter";
import { markedLine } from "../helpers/markers";

describe("prove", () => {
  it("finds the shortest counterexample from reset and prints it per cycle", async () => {
    const r = await prove(CheckedCounter, { limit: 6 }, { depth: 12, mode: "bmc", engine: "smtbmc" });
    if (r.status !== "failed") throw new Error(`expected a failure, got ${r.status}`);
    expect(r.step).toBe(7); // reset at step 0, then six enabled steps count 0..5, 6 at step 7
    expect(r.check.site).toBe(markedLine("test/core/fixtures/checked-counter.ts", "CHECK", "assert"));
    expect(r.check.message).toBe("count below 6");
    expect(existsSync(r.trace.vcd)).toBe(true);
    expect(r.trace.rows[0]!.values.reset).toBe("1");
    expect(r.trace.rows.map((row) => Number(row.values.count))).toEqual([0, 0, 1, 2, 3, 4, 5, 6]);
    expect(r.trace.table.split("\n")[0]).toBe("step | reset | enable | count");
    expect(r.trace.table.split("\n").at(-1)).toMatch(/^ {3}7 \| {5}0 \| {6}\d \| {5}6 {2}<- assertion fails: count below 6$/);
  });

  it("proves an inductive property", async () => {
    const r = await prove(CheckedCounter, { limit: 15 }, { depth: 3, engine: "smtbmc" });
    expect(r.status).toBe("proved");
    expect(r.checks.map((c) => c.message)).toEqual(["count below 15"]);
  });

  it("says unknown when the induction is too short, and proves it one step longer", async () => {
    const short = await prove(LaggingCounter, undefined, { depth: 1, engine: "smtbmc" });
    expect(short.status).toBe("unknown");
    if (short.status === "unknown") expect(short.reason).toBe(`no counterexample from reset in 1 cycles, but induction of length 1 failed for ${markedLine("test/synth/fixtures/lagging-counter.ts", "CHECK", "late")}: the late copy stays at most 5: strengthen the assertions (or raise the depth)`);
    expect((await prove(LaggingCounter, undefined, { depth: 2, engine: "smtbmc" })).status).toBe("proved");
  });

  it("reports the trace that reaches a cover", async () => {
    const r = await prove(CheckedCounter, { limit: 6 }, { depth: 8, mode: "cover" });
    if (r.status !== "covered") throw new Error(`expected covered, got ${r.status}`);
    expect(r.covers.map((c) => [c.check.message, c.step])).toEqual([["three", 4]]);
    expect(r.covers[0]!.trace.rows.map((row) => Number(row.values.count))).toEqual([0, 0, 1, 2, 3]);
  });

  it("the sat engine proves, and refutes with a trace whose failing step it names", async () => {
    expect((await prove(CheckedCounter, { limit: 15 }, { depth: 4, engine: "sat" })).status).toBe("proved");
    const r = await prove(CheckedCounter, { limit: 6 }, { depth: 12, mode: "bmc", engine: "sat" });
    if (r.status !== "failed") throw new Error(`expected a failure, got ${r.status}`);
    expect(r.check.message).toBe("count below 6");
    // any trace within the bound (not always the shortest): the failing row shows count 6 out of reset
    const last = r.trace.rows.at(-1)!;
    expect([last.step, last.values.count, last.values.reset]).toEqual([r.step, "6", "0"]);
    await expect(prove(CheckedCounter, { limit: 6 }, { depth: 4, mode: "cover", engine: "sat" })).rejects.toThrow("cover needs the smtbmc engine (Yosys's sat pass proves assertions only)");
  });

  it.each(["sat", "smtbmc"] as const)("%s: a register without init that only holds its value is a free constant", async (engine) => {
    const r = await prove(FreeConstant, undefined, { depth: 6, engine });
    if (r.status !== "failed") throw new Error(`expected a counterexample, got ${r.status}`);
    expect(r.check.message).toBe("the constant is never 5 when the count is 3");
  });

  it("rejects a design without assertions and a bad depth before running anything", async () => {
    const counter = (await import("../../examples/counter")).design();
    await expect(proveDesign(counter, { depth: 4 })).rejects.toThrow(new ProveError("Counter_width8 has no assert statements: nothing to prove (see hdl/core/README.md#assertions)"));
    await expect(proveDesign(elaborate(CheckedCounter, { limit: 6 }), { depth: 0 })).rejects.toThrow("depth must be a positive integer, got 0");
  });
});
