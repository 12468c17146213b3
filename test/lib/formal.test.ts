/**
 * Proofs of the queues: the example FIFO and the library Queue keep count within bounds and
 * their pointers consistent (their own assertions), and lose, duplicate or reorder no word, for
 * any producer, any consumer and traces of any length (k-induction): with `checkOrder` they
 * assert the tracked-word property of hdl/lib/queue-order.ts (the word popped with an arbitrary
 * index is the word pushed with it) and the invariant that makes it inductive (that word waits at
 * its place in the storage). A broken FIFO that accepts a word when full is refuted, by its own
 * bound and, without it, by the order checks alone.
 */
import { describe, expect, it } from "vitest";
import { Fifo } from "../../examples/fifo";
import { Queue } from "../../hdl/lib";
import { UInt } from "../../hdl/core";
import { prove } from "../../synth/index";
import { BrokenFifo } from "./fixtures/broken-fifo";
import { markedLine } from "../helpers/markers";

const ORDER = ["the words held are the words pushed and not popped", "a word waits at its place in the queue", "every word leaves as it entered, in order"];

describe("queue proofs (k-induction)", () => {
  it("the example FIFO's own invariants", async () => {
    const r = await prove(Fifo, { width: 8, depth: 8 }, { depth: 4 });
    expect(r.status).toBe("proved");
    expect(r.checks.map((c) => c.message)).toEqual(["at most depth words in memory", "the pointers are as far apart as the words stored"]);
  });

  it("the library Queue's own invariants", async () => {
    for (const p of [{ type: UInt(8), depth: 4 }, { type: UInt(8), depth: 3, pipe: true }]) expect((await prove(Queue, p, { depth: 4 })).status).toBe("proved");
  });

  it("the example FIFO moves every word once, in order, for any consumer", async () => {
    const r = await prove(Fifo, { width: 4, depth: 4, checkOrder: true }, { depth: 4 });
    expect(r.status).toBe("proved");
    expect(r.checks.map((c) => c.message)).toEqual(expect.arrayContaining(ORDER));
  });

  it("the library Queue moves every word once, in order, for any consumer (plain, depth 3, pipe, flow, depth 1)", async () => {
    const params = [{ depth: 4 }, { depth: 3 }, { depth: 2, pipe: true }, { depth: 4, flow: true }, { depth: 1 }];
    for (const p of params) {
      const r = await prove(Queue, { type: UInt(4), ...p, checkOrder: true }, { depth: 4 });
      expect({ ...p, status: r.status }).toEqual({ ...p, status: "proved" });
      expect(r.checks.map((c) => c.message)).toEqual(expect.arrayContaining(ORDER));
    }
  });

  it("refutes the broken FIFO with a counterexample from reset", async () => {
    const r = await prove(BrokenFifo, { width: 4, depth: 4, checkOrder: true }, { depth: 8 });
    if (r.status !== "failed") throw new Error(`expected a counterexample, got ${r.status}`);
    expect(r.check.site).toBe(markedLine("test/lib/fixtures/broken-fifo.ts", "CHECK", "bound"));
    expect(r.trace.rows[0]!.values.reset).toBe("1");
    // the trace must push a fifth word into the full memory: at least five pushes before the failure
    const pushes = r.trace.rows.filter((row) => row.values.reset === "0" && row.values.enq_valid === "1" && row.values.enq_ready === "1").length;
    expect(pushes).toBeGreaterThanOrEqual(5);
    expect(r.trace.table).toContain("<- assertion fails: at most depth words in memory");
  });

  it("refutes the broken FIFO by the order checks alone", async () => {
    const r = await prove(BrokenFifo, { width: 4, depth: 4, checkOrder: true, invariants: false }, { depth: 10 });
    if (r.status !== "failed") throw new Error(`expected a counterexample, got ${r.status}`);
    expect(ORDER).toContain(r.check.message);
  });
});
