/**
 * The stream blocks of hdl/lib against TypeScript models on both simulators, with random valid
 * and ready: Queue (register and block-RAM implementations, pipe and flow; a bundle payload),
 * SkidBuffer, Arbiter and RRArbiter; Synchronizer's delay. The Verilog of each through the three
 * tools; Yosys maps a 1024-deep queue to block RAM and a 4-deep one to flip-flops or LUT RAM.
 */
import { describe, expect, it } from "vitest";
import { Bool, Bundle, SInt, UInt, elaborate } from "../../hdl/core";
import { Arbiter, Queue, RRArbiter, SkidBuffer, Synchronizer, type QueueParams } from "../../hdl/lib";
import { synthesize } from "../../synth";
import { rng } from "../helpers/rng";
import { expectCleanVerilog } from "../helpers/verilog-tools";
import { BACKENDS, expectCycles } from "./harness";

type Stim = Record<string, number>;

/** A queue model: inputs of a cycle -> outputs of that cycle, then the edge. */
function queueModel(p: QueueParams): (s: Stim) => Record<string, number> {
  const q: number[] = [];
  const small = p.depth <= 32;
  // block-RAM queue: words in memory, and the output register (loaded a cycle after)
  const mem: number[] = [];
  let out: number | undefined;
  return (s) => {
    if (small) {
      const empty = q.length === 0;
      const flow = p.flow && empty && s.enq_valid === 1;
      const deqValid = !empty || flow;
      const head = empty ? s.enq_bits! : q[0]!;
      const enqReady = q.length < p.depth || (p.pipe === true && s.deq_ready === 1);
      const o = { enq_ready: enqReady ? 1 : 0, deq_valid: deqValid ? 1 : 0, count: q.length, ...(deqValid ? { deq_bits: head } : {}) };
      const pop = deqValid && s.deq_ready === 1;
      const push = s.enq_valid === 1 && enqReady;
      if (pop && !empty) q.shift();
      if (push && !(flow && pop)) q.push(s.enq_bits!);
      return o;
    }
    const total = mem.length + (out === undefined ? 0 : 1);
    const enqReady = total < p.depth;
    const o = { enq_ready: enqReady ? 1 : 0, deq_valid: out === undefined ? 0 : 1, count: total, ...(out !== undefined ? { deq_bits: out } : {}) };
    const pop = out !== undefined && s.deq_ready === 1;
    const load = mem.length > 0 && (out === undefined || pop);
    if (load) out = mem.shift();
    else if (pop) out = undefined;
    if (s.enq_valid === 1 && enqReady) mem.push(s.enq_bits!);
    return o;
  };
}

function randomStreams(n: number, seed: number, width: number, pValid: number, pReady: number): Stim[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => ({ enq_valid: r() < pValid ? 1 : 0, enq_bits: Math.floor(r() * 2 ** width), deq_ready: r() < pReady ? 1 : 0 }));
}

describe("Queue", () => {
  const cases: [string, QueueParams, number, number][] = [
    ["4 deep, registers", { type: UInt(16), depth: 4 }, 0.6, 0.5],
    ["5 deep (not a power of two), pipe", { type: UInt(16), depth: 5, pipe: true }, 0.8, 0.6],
    ["1 deep, pipe: one word per clock", { type: UInt(16), depth: 1, pipe: true }, 0.9, 0.9],
    ["3 deep, flow", { type: UInt(16), depth: 3, flow: true }, 0.4, 0.7],
    ["64 deep, block RAM", { type: UInt(16), depth: 64 }, 0.7, 0.3],
    ["48 deep, block RAM, drains and fills", { type: UInt(16), depth: 48 }, 0.5, 0.5],
    // the order checks hold in simulation too (Verilator and the JS backend track the first word and every 2^W-th after it)
    ["4 deep, order checks", { type: UInt(16), depth: 4, checkOrder: true }, 0.6, 0.5],
    ["3 deep, flow, order checks", { type: UInt(16), depth: 3, flow: true, checkOrder: true }, 0.5, 0.5],
  ];
  for (const [name, p, pv, pr] of cases) {
    const d = elaborate(Queue, p);
    const stim = randomStreams(600, p.depth * 7 + 1, 16, pv, pr);
    const model = queueModel(p);
    const want = stim.map(model);
    for (const backend of BACKENDS) it(`${name} (${backend}): every cycle against the model`, () => expectCycles(d, stim, want, backend));
  }
  it("carries a bundle payload (fields packed and unpacked, signed field kept signed)", async () => {
    const d = elaborate(Queue, { type: Bundle({ a: UInt(3), b: SInt(5), last: Bool() }), depth: 2 });
    expect(d.ports.map((p) => p.name)).toEqual(expect.arrayContaining(["enq_bits_a", "enq_bits_b", "enq_bits_last", "deq_bits_b"]));
    const stim: Stim[] = [{ enq_valid: 1, enq_bits_a: 5, enq_bits_b: -7, enq_bits_last: 1, deq_ready: 0 }, { enq_valid: 0, deq_ready: 1 }];
    await expectCycles(d, stim, [{ deq_valid: 0 }, { deq_valid: 1, deq_bits_a: 5, deq_bits_b: -7, deq_bits_last: 1 }], "iverilog");
  });
  it("rejects pipe on a block-RAM queue, naming the instantiation", () => {
    expect(() => elaborate(Queue, { type: UInt(8), depth: 64, pipe: true })).toThrow(/streams\.test\.ts:\d+: Queue: pipe and flow need depth <= 32/);
    expect(() => elaborate(Queue, { type: UInt(8), depth: 64, checkOrder: true })).toThrow(/streams\.test\.ts:\d+: Queue: checkOrder needs depth <= 32 \(the register queue\), got depth 64/);
  });
  it("Yosys: 1024 x 32 maps to block RAM, 4 x 32 to flip-flops or LUT RAM", async () => {
    const big = await synthesize(elaborate(Queue, { type: UInt(32), depth: 1024 }), { native: true });
    const small = await synthesize(elaborate(Queue, { type: UInt(32), depth: 4 }), { native: true });
    console.log(`Queue 1024 x 32: ${big.lut} LUT, ${big.ff} FF, ${big.bram18} RAMB18 + ${big.bram36} RAMB36; 4 x 32: ${small.lut} LUT, ${small.ff} FF, ${small.lutramLuts} LUT-RAM LUTs`);
    expect(big.bram18Equivalent).toBeGreaterThan(0);
    expect(small.bram18Equivalent).toBe(0);
  });
  it("is clean in iverilog, Verilator and Yosys (both implementations)", async () => {
    for (const p of [{ type: UInt(8), depth: 4, flow: true, pipe: true }, { type: UInt(8), depth: 100 }] as QueueParams[]) {
      const d = elaborate(Queue, p);
      await expectCleanVerilog(d.verilog, d.top);
    }
  });
});

describe("SkidBuffer", () => {
  const d = elaborate(SkidBuffer, { type: UInt(12) });
  const r = rng(5);
  const stim = Array.from({ length: 500 }, () => ({ in_valid: r() < 0.7 ? 1 : 0, in_bits: Math.floor(r() * 4096), out_ready: r() < 0.6 ? 1 : 0 }));
  // model: an output register and a skid register
  let out: number | undefined;
  let skid: number | undefined;
  const want = stim.map((s) => {
    const o = { in_ready: skid === undefined ? 1 : 0, out_valid: out === undefined ? 0 : 1, ...(out !== undefined ? { out_bits: out } : {}) };
    const accepted = s.in_valid === 1 && skid === undefined;
    if (out === undefined || s.out_ready === 1) {
      out = skid ?? (s.in_valid === 1 ? s.in_bits : undefined);
      skid = undefined;
    } else if (accepted) skid = s.in_bits;
    return o;
  });
  for (const backend of BACKENDS) it(`${backend}: every cycle against the model`, () => expectCycles(d, stim, want, backend));
  it("is clean in iverilog, Verilator and Yosys", () => expectCleanVerilog(d.verilog, d.top));
});

describe("Arbiter and RRArbiter", () => {
  const n = 4;
  const r = rng(9);
  const stim = Array.from({ length: 500 }, () => {
    const s: Stim = { out_ready: r() < 0.7 ? 1 : 0 };
    for (let i = 0; i < n; i++) {
      s[`in_${i}_valid`] = r() < 0.4 ? 1 : 0;
      s[`in_${i}_bits`] = Math.floor(r() * 256);
    }
    return s;
  });
  const model = (roundRobin: boolean) => {
    let last = n - 1;
    return (s: Stim) => {
      const valid = Array.from({ length: n }, (_, i) => s[`in_${i}_valid`] === 1);
      const order = roundRobin ? [...Array(n).keys()].map((k) => (last + 1 + k) % n) : [...Array(n).keys()];
      const pick = order.find((i) => valid[i]);
      const chosen = pick ?? n - 1;
      const o: Record<string, number> = { out_valid: pick === undefined ? 0 : 1, ...(pick !== undefined ? { out_bits: s[`in_${pick}_bits`]!, chosen } : {}) };
      for (let i = 0; i < n; i++) o[`in_${i}_ready`] = pick === i && s.out_ready === 1 ? 1 : 0;
      if (roundRobin && pick !== undefined && s.out_ready === 1) last = pick;
      return o;
    };
  };
  for (const [name, def, rr] of [["Arbiter", Arbiter, false], ["RRArbiter", RRArbiter, true]] as const) {
    const d = elaborate(def, { type: UInt(8), n });
    const want = stim.map(model(rr));
    for (const backend of BACKENDS) it(`${name} (${backend}): every cycle against the model`, () => expectCycles(d, stim, want, backend));
    it(`${name} is clean in iverilog, Verilator and Yosys`, () => expectCleanVerilog(d.verilog, d.top));
  }
  it("RRArbiter serves every requester in turn under full load", async () => {
    const d = elaborate(RRArbiter, { type: UInt(8), n });
    const all: Stim = { out_ready: 1 };
    for (let i = 0; i < n; i++) Object.assign(all, { [`in_${i}_valid`]: 1, [`in_${i}_bits`]: i });
    await expectCycles(d, Array.from({ length: 8 }, () => all), Array.from({ length: 8 }, (_, c) => ({ chosen: c % n })), "iverilog");
  });
});

describe("Synchronizer", () => {
  it("delays by its stage count on both simulators", async () => {
    const d = elaborate(Synchronizer, { width: 3, stages: 3 });
    const r = rng(3);
    const stim = Array.from({ length: 50 }, () => ({ in: Math.floor(r() * 8) }));
    const want = stim.map((_, c): Stim => (c >= 3 ? { out: stim[c - 3]!.in } : {}));
    for (const backend of BACKENDS) await expectCycles(d, stim, want, backend);
    await expectCleanVerilog(d.verilog, d.top);
  });
});

describe("connect (bulk connection honouring Flipped)", () => {
  it("wires Decoupled ports of a module and two child queues in one statement each", async () => {
    const { Bool: _b, Decoupled, Input, Output, defineModule } = await import("../../hdl/core");
    void _b;
    const { connect } = await import("../../hdl/core");
    const Chain = defineModule("QueueChain", () => {
      const input = Input(Decoupled(UInt(8)), { name: "in" });
      const out = Output(Decoupled(UInt(8)));
      const a = Queue.instance({ type: UInt(8), depth: 2 }, { name: "a" });
      const b = Queue.instance({ type: UInt(8), depth: 2 }, { name: "b" });
      connect(a.enq, input); // valid, bits: a <- in; ready: in <- a
      connect(b.enq, a.deq);
      connect(out, b.deq);
      return { in: input, out };
    });
    const d = elaborate(Chain, undefined);
    expect(d.verilog).toContain("assign in_ready = a_enq_ready;");
    expect(d.verilog).toContain("assign a_enq_valid = in_valid;");
    expect(d.verilog).toContain("assign a_deq_ready = b_enq_ready;");
    // four words through two 2-deep queues, read back in order
    const stim: Stim[] = [1, 2, 3, 4].map((x) => ({ in_valid: 1, in_bits: x * 11, out_ready: 0 }));
    stim.push(...Array.from({ length: 8 }, (): Stim => ({ in_valid: 0, out_ready: 1 })));
    const sim = await (await import("../../sim")).simulate(d);
    try {
      const got = await sim.batch(stim, { resetCycles: 1, allowX: true });
      expect(got.filter((g, c) => g.out_valid === 1 && stim[c]!.out_ready === 1).map((g) => g.out_bits)).toEqual([11, 22, 33, 44]);
    } finally {
      await sim.close();
    }
  });
  it("names the field that does not match", async () => {
    const { Bundle: B, Input, Output, connect, defineModule } = await import("../../hdl/core");
    const Bad = defineModule("BadConnect", () => {
      const x = Input(B({ a: UInt(2), b: UInt(2) }));
      const y = Output(B({ a: UInt(2) }));
      connect(y, x);
      return { x, y };
    });
    expect(() => elaborate(Bad, undefined)).toThrow(/streams\.test\.ts:\d+: connect: field b is missing on the sink/);
  });
});
