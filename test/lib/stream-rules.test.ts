/**
 * The ready/valid rule (valid held, word unchanged, until ready) on every output stream of the
 * hdl/lib units with back-pressure, proved by k-induction from the assertions the units make
 * (assertStreamRules), with every input free or, where an output passes an input stream on,
 * only the input's own rules assumed (fixtures/stream-harness.ts). Each kind of violation is
 * refuted on a broken variant: a burst reader that withdraws its read request, and the
 * fixed-priority Arbiter and the RRArbiter, which switch to another input while their output waits.
 */
import { describe, expect, it } from "vitest";
import { UInt } from "../../hdl/core";
import { BurstMemory, BurstReader, BurstWriter, Queue, SkidBuffer, type BurstPortParams } from "../../hdl/lib";
import { prove, type ProveResult } from "../../synth/index";
import { ArbiterStreamRules, QueueStreamRules, WithdrawingReader, WriterStreamRules } from "./fixtures/stream-harness";

const PORT: BurstPortParams = { addrBits: 8, dataBytes: 1, lenBits: 2 };

function rules(name: string): string[] {
  return [`${name}: valid stays high until ready`, `${name}: the word stays unchanged until ready`];
}

function expectProved(r: ProveResult, ...streams: string[]): void {
  expect(r.status).toBe("proved");
  const messages = r.checks.map((c) => c.message);
  for (const s of streams) expect(messages).toEqual(expect.arrayContaining(rules(s)));
}

describe("stream rules (k-induction)", () => {
  it("Queue deq: register queue, plain and pipe, and block-RAM queue, every input free", async () => {
    expectProved(await prove(Queue, { type: UInt(4), depth: 4 }, { depth: 4 }), "deq");
    expectProved(await prove(Queue, { type: UInt(4), depth: 2, pipe: true }, { depth: 4 }), "deq");
    expectProved(await prove(Queue, { type: UInt(4), depth: 64 }, { depth: 4 }), "deq");
  });

  it("Queue deq with flow, given that enq holds its word", async () => {
    expectProved(await prove(QueueStreamRules, { type: UInt(4), depth: 4, flow: true }, { depth: 4 }), "deq");
  });

  it("SkidBuffer out, every input free", async () => {
    expectProved(await prove(SkidBuffer, { type: UInt(4) }, { depth: 4 }), "out");
  });

  it("BurstReader ar and out, every input free", async () => {
    expectProved(await prove(BurstReader, { port: PORT, burstBeats: 2, countBits: 4 }, { depth: 4 }), "ar", "out");
  });

  it("BurstWriter aw and w, given that in holds its beat", async () => {
    expectProved(await prove(WriterStreamRules, { port: PORT, burstBeats: 2, countBits: 4 }, { depth: 4 }), "aw", "w");
    expectProved(await prove(WriterStreamRules, { port: PORT, burstBeats: 2, countBits: 4, strobes: true }, { depth: 4 }), "aw", "w");
  });

  it("BurstMemory r, every input free", async () => {
    expectProved(await prove(BurstMemory, { port: PORT, words: 4, bytesPerCycle: 1, latency: 2, outstanding: 2 }, { depth: 4 }), "r");
  });

  it("refutes a reader that drops arvalid before arready", async () => {
    const r = await prove(WithdrawingReader, { port: PORT, burstBeats: 2, countBits: 4 }, { depth: 8 });
    if (r.status !== "failed") throw new Error(`expected a counterexample, got ${r.status}`);
    expect(r.check.message).toBe("ar: valid stays high until ready");
    const [before, at] = r.trace.rows.slice(-2);
    expect([before!.values.ar_valid, before!.values.ar_ready, at!.values.ar_valid]).toEqual(["1", "0", "0"]);
  });

  it("refutes the fixed-priority Arbiter: its word changes while out waits", async () => {
    const r = await prove(ArbiterStreamRules, { type: UInt(4), n: 2 }, { depth: 8 });
    if (r.status !== "failed") throw new Error(`expected a counterexample, got ${r.status}`);
    expect(r.check.message).toBe("out: the word stays unchanged until ready");
    const [before, at] = r.trace.rows.slice(-2);
    // input 1 offered and waiting, then input 0 arrives and takes the output
    expect([before!.values.in_1_valid, before!.values.in_0_valid, before!.values.out_ready, at!.values.in_0_valid]).toEqual(["1", "0", "0", "1"]);
  });

  it("refutes the RRArbiter: its word changes while out waits", async () => {
    const r = await prove(ArbiterStreamRules, { type: UInt(4), n: 3, roundRobin: true }, { depth: 8 });
    if (r.status !== "failed") throw new Error(`expected a counterexample, got ${r.status}`);
    expect(r.check.message).toBe("out: the word stays unchanged until ready");
  });
});
