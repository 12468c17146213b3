/**
 * Proofs of the queues: the example FIFO and the library Queue keep count within bounds and
 * their pointers consistent (their own assertions), and against an independent reference model
 * (test/lib/fixtures/queue-harness.ts) lose, duplicate or reorder no word, for traces of any
 * length (k-induction, under the one assumption that the consumer stalls at most 2 cycles in a
 * row). A broken FIFO that accepts a word when full is refuted with a counterexample.
 */
import { describe, expect, it } from "vitest";
import { Fifo } from "../../examples/fifo";
import { Queue } from "../../hdl/lib";
import { UInt } from "../../hdl/core";
import { prove } from "../../synth/index";
import { QueueHarness } from "./fixtures/queue-harness";
import { markedLine } from "../helpers/markers";

describe("queue proofs (k-induction)", () => {
  it("the example FIFO's own invariants", async () => {
    const r = await prove(Fifo, { width: 8, depth: 8 }, { depth: 4 });
    expect(r.status).toBe("proved");
    expect(r.checks.map((c) => c.message)).toEqual(["at most depth words in memory", "the pointers are as far apart as the words stored"]);
  });

  it("the library Queue's own invariants", async () => {
    for (const p of [{ type: UInt(8), depth: 4 }, { type: UInt(8), depth: 3, pipe: true }]) expect((await prove(Queue, p, { depth: 4 })).status).toBe("proved");
  });

  it("the example FIFO moves every word once, in order", async () => {
    const r = await prove(QueueHarness, { dut: "fifo", width: 4, depth: 4, maxStall: 2 }, { depth: 24 });
    expect(r.status).toBe("proved");
    expect(r.checks.map((c) => c.message)).toContain("the word offered is the oldest word not yet taken");
  });

  it("the library Queue moves every word once, in order (plain and pipe)", async () => {
    expect((await prove(QueueHarness, { dut: "queue", width: 4, depth: 4, maxStall: 2 }, { depth: 24 })).status).toBe("proved");
    expect((await prove(QueueHarness, { dut: "queue", width: 4, depth: 2, maxStall: 2, pipe: true }, { depth: 24 })).status).toBe("proved");
  });

  it("refutes the broken FIFO with a counterexample from reset", async () => {
    const r = await prove(QueueHarness, { dut: "brokenFifo", width: 4, depth: 4, maxStall: 2 }, { depth: 24 });
    if (r.status !== "failed") throw new Error(`expected a counterexample, got ${r.status}`);
    expect(r.check.site).toBe(markedLine("test/lib/fixtures/broken-fifo.ts", "CHECK", "bound"));
    expect(r.trace.rows[0]!.values.reset).toBe("1");
    // the trace must push a fifth word into the full memory: at least five pushes before the failure
    const pushes = r.trace.rows.filter((row) => row.values.reset === "0" && row.values.enq_valid === "1" && row.values.enq_ready === "1").length;
    expect(pushes).toBeGreaterThanOrEqual(5);
    expect(r.trace.table).toContain("<- assertion fails: at most depth words in memory");
  });
});
