/**
 * Every example in examples/ simulated on both backends, with random stimulus,
 * against a cycle-accurate TypeScript model: once with poke/peek/step per cycle
 * and once as a batch run.
 */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AdderTree } from "../../examples/adder-tree";
import { Counter } from "../../examples/counter";
import { Fifo } from "../../examples/fifo";
import { PipelineStage } from "../../examples/pipeline-stage";
import { elaborate } from "../../hdl/core/index";
import type { ElaboratedDesign } from "../../hdl/core/design";
import { runBatch, simulate, type Backend, type SimValue, type Stimulus } from "../../sim/index";
import { rng } from "./models";

/** Model outputs; `undefined` marks a don't-care value (X in Icarus, e.g. data before the first load). */
type Expect = Record<string, SimValue | undefined>;
interface ExampleModel {
  outputs(i: Stimulus): Expect;
  /** One clock edge with inputs `i` (including `reset` when the design has one). */
  tick(i: Stimulus): void;
}
interface Example {
  readonly file: string;
  readonly design: ElaboratedDesign;
  readonly model: () => ExampleModel;
  readonly stim: (len: number, seed: number) => Stimulus[];
  /** Cycles at the start whose outputs are not compared (pipeline fill without reset). */
  readonly warmup: number;
}

const n = (v: SimValue | undefined): number => Number(v ?? 0);

function counterModel(width: number): ExampleModel {
  const max = 2 ** width - 1;
  let value = 0;
  return {
    outputs: (i) => ({ count: value, wrapped: n(i.enable) && value === max ? 1 : 0 }),
    tick: (i) => {
      if (n(i.reset)) value = 0;
      else if (n(i.enable)) value = value === max ? 0 : value + 1;
    },
  };
}

function fifoModel(depth: number): ExampleModel {
  const mem: number[] = [];
  let outValid = 0;
  let outBits: number | undefined;
  return {
    // deq_bits is only meaningful while deq_valid is high.
    outputs: () => ({ enq_ready: mem.length < depth ? 1 : 0, deq_valid: outValid, deq_bits: outValid ? outBits : undefined, count: mem.length + outValid }),
    tick: (i) => {
      if (n(i.reset)) {
        mem.length = 0;
        outValid = 0;
        return;
      }
      const doEnq = n(i.enq_valid) === 1 && mem.length < depth;
      const doDeq = outValid === 1 && n(i.deq_ready) === 1;
      const load = mem.length > 0 && (!outValid || doDeq);
      if (load) {
        outBits = mem.shift();
        outValid = 1;
      } else if (doDeq) outValid = 0;
      if (doEnq) mem.push(n(i.enq_bits));
    },
  };
}

function adderTreeModel(inputs: number, latency: number): ExampleModel {
  const pipe: number[] = [];
  const sum = (i: Stimulus): number => Array.from({ length: inputs }, (_, k) => n(i[`terms_${k}`])).reduce((a, b) => a + b, 0);
  return {
    outputs: (i) => ({ sum: latency === 0 ? sum(i) : pipe.length >= latency ? pipe[pipe.length - latency] : undefined }),
    tick: (i) => {
      pipe.push(sum(i));
    },
  };
}

function pipelineStageModel(): ExampleModel {
  let outValid = 0;
  let skidValid = 0;
  let outBits: number | undefined;
  let skidBits: number | undefined;
  return {
    // output_bits is only meaningful while output_valid is high.
    outputs: () => ({ input_ready: skidValid ? 0 : 1, output_valid: outValid, output_bits: outValid ? outBits : undefined }),
    tick: (i) => {
      if (n(i.reset)) {
        outValid = 0;
        skidValid = 0;
        outBits = undefined; // loaded from X state during reset: unknown
        return;
      }
      const outFree = !outValid || n(i.output_ready) === 1;
      const inReady = !skidValid;
      if (outFree) {
        outValid = skidValid || n(i.input_valid) ? 1 : 0;
        outBits = skidValid ? skidBits : n(i.input_bits);
        skidValid = 0;
      } else if (n(i.input_valid) && inReady) {
        skidValid = 1;
        skidBits = n(i.input_bits);
      }
    },
  };
}

const examples: Record<string, Example> = {
  "Counter{width:8}": {
    file: "counter.ts",
    design: elaborate(Counter, { width: 8 }),
    model: () => counterModel(8),
    stim: (len, seed) => {
      const r = rng(seed);
      return Array.from({ length: len }, () => ({ reset: r.int(200) === 0 ? 1 : 0, enable: r.int(5) ? 1 : 0 }));
    },
    warmup: 0,
  },
  "Fifo{width:16,depth:16}": {
    file: "fifo.ts",
    design: elaborate(Fifo, { width: 16, depth: 16 }),
    model: () => fifoModel(16),
    stim: (len, seed) => {
      const r = rng(seed);
      // Alternate phases that fill and drain the FIFO, so full and empty both occur.
      return Array.from({ length: len }, (_, k) => {
        const filling = Math.floor(k / 60) % 2 === 0;
        return {
          reset: r.int(500) === 0 ? 1 : 0,
          enq_valid: r.int(10) < (filling ? 8 : 3) ? 1 : 0,
          enq_bits: r.int(65536),
          deq_ready: r.int(10) < (filling ? 3 : 8) ? 1 : 0,
        };
      });
    },
    warmup: 0,
  },
  "Fifo{width:8,depth:4}": {
    file: "fifo.ts",
    design: elaborate(Fifo, { width: 8, depth: 4 }),
    model: () => fifoModel(4),
    stim: (len, seed) => {
      const r = rng(seed);
      return Array.from({ length: len }, () => ({ enq_valid: r.int(2), enq_bits: r.int(256), deq_ready: r.int(2) }));
    },
    warmup: 0,
  },
  "AdderTree{inputs:5,width:8}": {
    file: "adder-tree.ts",
    design: elaborate(AdderTree, { inputs: 5, width: 8, pipelined: false }),
    model: () => adderTreeModel(5, 0),
    stim: (len, seed) => {
      const r = rng(seed);
      const edge = [-128, 127, 0, -1];
      return Array.from({ length: len }, () =>
        Object.fromEntries(Array.from({ length: 5 }, (_, k) => [`terms_${k}`, r.int(3) ? r.signed(8) : edge[r.int(4)]!])),
      );
    },
    warmup: 0,
  },
  "AdderTree{inputs:8,width:16,pipelined}": {
    file: "adder-tree.ts",
    design: elaborate(AdderTree, { inputs: 8, width: 16, pipelined: true }),
    model: () => adderTreeModel(8, 3),
    stim: (len, seed) => {
      const r = rng(seed);
      return Array.from({ length: len }, () => Object.fromEntries(Array.from({ length: 8 }, (_, k) => [`terms_${k}`, r.signed(16)])));
    },
    warmup: 3,
  },
  "PipelineStage{width:8}": {
    file: "pipeline-stage.ts",
    design: elaborate(PipelineStage, { width: 8 }),
    model: pipelineStageModel,
    stim: (len, seed) => {
      const r = rng(seed);
      return Array.from({ length: len }, () => ({
        reset: r.int(300) === 0 ? 1 : 0,
        input_valid: r.int(3) ? 1 : 0,
        input_bits: r.int(256),
        output_ready: r.int(3) ? 1 : 0,
      }));
    },
    warmup: 0,
  },
};

function compare(cycle: number, got: Record<string, SimValue>, want: Expect): void {
  for (const [k, w] of Object.entries(want)) {
    if (w === undefined) continue;
    if (got[k] !== w) expect({ cycle, port: k, value: got[k] }).toEqual({ cycle, port: k, value: w });
  }
}

const backends: Backend[] = ["iverilog", "verilator", "js"];

describe("examples/ on both simulators against TypeScript models", () => {
  it("every example file has a simulation test here", () => {
    // examples/ holds only designs that print Verilog; applications live next to what they drive.
    const dir = fileURLToPath(new URL("../../examples/", import.meta.url));
    const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
    expect(files.every((f) => /\bdefineModule\(/.test(readFileSync(dir + f, "utf8")))).toBe(true);
    const covered = new Set(Object.values(examples).map((e) => e.file));
    expect(files.filter((f) => !covered.has(f))).toEqual([]);
  });

  describe.each(backends)("%s", (backend) => {
    describe.each(Object.keys(examples))("%s", (name) => {
      const ex = examples[name]!;
      it("poke/peek/step per cycle", async () => {
        const sim = await simulate(ex.design, { backend });
        try {
          const model = ex.model();
          const cur: Record<string, SimValue> = Object.fromEntries(ex.design.ports.filter((p) => p.direction === "input" && p.name !== "clock").map((p) => [p.name, 0]));
          if (ex.design.reset) {
            await sim.reset();
            model.tick({ ...cur, reset: 1 });
          }
          for (const [k, s] of ex.stim(300, 11).entries()) {
            Object.assign(cur, s);
            for (const [p, v] of Object.entries(s)) sim.poke(p, v);
            const got = await sim.peekAll({ allowX: true });
            if (k >= ex.warmup) compare(k, got, model.outputs(cur));
            model.tick(cur);
            await sim.step();
          }
        } finally {
          await sim.close();
        }
      });

      it("batch run of 5000 cycles", async () => {
        const stim = ex.stim(5000, 23);
        const got = await runBatch(ex.design, stim, { backend, resetCycles: ex.design.reset ? 2 : 0, allowX: true });
        const model = ex.model();
        const cur: Record<string, SimValue> = Object.fromEntries(ex.design.ports.filter((p) => p.direction === "input" && p.name !== "clock").map((p) => [p.name, 0]));
        if (ex.design.reset) for (let r = 0; r < 2; r++) model.tick({ ...cur, reset: 1 });
        for (const [k, s] of stim.entries()) {
          Object.assign(cur, s);
          if (k >= ex.warmup) compare(k, got[k]!, model.outputs(cur));
          model.tick(cur);
        }
      });
    });
  });
});
