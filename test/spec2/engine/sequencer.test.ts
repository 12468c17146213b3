/**
 * The engine's control port and sequencer on both simulators: a layer list written through the
 * control port comes out on `layer` one descriptor at a time, every field equal to the
 * descriptor the host wrote (fields and the derived macShift computed here from their
 * definitions), the next one only after the datapath's layerDone; `done` pulses once after
 * the last. Descriptors outside the limits are rejected with every problem named.
 */
import { describe, expect, it } from "vitest";
import { elaborate } from "../../../hdl/core";
import { checkDescriptor, DescriptorError, outputSize, type EngineLimits, type LayerDescriptor } from "../../../hdl/spec2/engine/descriptor";
import { engineProgram } from "../../../hdl/spec2/engine/program";
import { EngineSequencer } from "../../../hdl/spec2/engine/sequencer";
import { simulate, type Backend } from "../../../sim";
import { expectCleanVerilog } from "../../helpers/verilog-tools";

const LIMITS: EngineLimits = { K: 8, maxCin: 512, maxCout: 512, maxHeight: 224, maxWidth: 224, maxKernel: 7, memoryBytes: 2 ** 32, beatBytes: 64 };

const base = { relu: true, pool: false, inFrac: 12, weightFrac: 14, outFrac: 11, input: 0, output: 1 << 20, weights: 1 << 24, bias: 1 << 28 };
const LAYERS: LayerDescriptor[] = [
  { ...base, name: "conv1_1", cin: 3, cout: 64, h: 224, w: 224, k: 3, p: 1, n: 10 },
  { ...base, name: "conv1_2", cin: 64, cout: 64, h: 224, w: 224, k: 3, p: 1, n: 10, pool: true, inFrac: 11, weightFrac: 15, outFrac: 9 },
  { ...base, name: "conv5_3", cin: 512, cout: 512, h: 14, w: 14, k: 3, p: 1, n: 40, relu: false, output: 4096, weights: 2 ** 32 - 64 },
];

/** The fields the datapath must see, from the descriptor's definitions. */
function expected(d: LayerDescriptor): Record<string, number> {
  return {
    cin: d.cin, cout: d.cout, h: d.h, w: d.w, k: d.k, p: d.p, relu: d.relu ? 1 : 0, pool: d.pool ? 1 : 0, n: d.n,
    inFrac: d.inFrac, weightFrac: d.weightFrac, outFrac: d.outFrac,
    macShift: d.inFrac + d.weightFrac - 2 * 3 - d.outFrac, // 2 log2 K, K = 8
    input: d.input, output: d.output, weights: d.weights, bias: d.bias,
  };
}

async function runList(backend: Backend, layers: readonly LayerDescriptor[], latency: readonly number[]): Promise<{ seen: { cycle: number; fields: Record<string, number>; index: number }[]; doneCycles: number[]; busyAfter: number }> {
  const sim = await simulate(elaborate(EngineSequencer, { limits: LIMITS, maxLayers: 4 }), { backend });
  try {
    await sim.reset();
    for (const w of engineProgram(layers, LIMITS, 4)) {
      sim.poke("ctrl_valid", 1);
      sim.poke("ctrl_bits_addr", w.addr);
      sim.poke("ctrl_bits_data", w.data);
      await sim.step();
    }
    sim.poke("ctrl_valid", 0);
    sim.poke("layer_ready", 1);
    const seen: { cycle: number; fields: Record<string, number>; index: number }[] = [];
    const doneCycles: number[] = [];
    let doneAt = -1;
    for (let c = 0; c < 400; c++) {
      sim.poke("layerDone", c === doneAt ? 1 : 0);
      const s = await sim.peekAll({ allowX: true }); // the fields are X until the first fetch (Icarus)
      if (s.layer_valid === 1) {
        const fields = Object.fromEntries(Object.keys(expected(layers[0]!)).map((k) => [k, Number(s[`layer_bits_${k}`])]));
        seen.push({ cycle: c, fields, index: Number(s.index) });
        doneAt = c + latency[seen.length - 1]!;
      }
      if (s.done === 1) doneCycles.push(c);
      await sim.step();
    }
    return { seen, doneCycles, busyAfter: await sim.peek("busy") };
  } finally {
    await sim.close();
  }
}

describe("EngineSequencer", () => {
  for (const backend of ["iverilog", "verilator"] as const) {
    it(`${backend}: runs a written list layer by layer, each after the previous layerDone`, async () => {
      const latency = [30, 5, 50];
      const got = await runList(backend, LAYERS, latency);
      expect(got.seen.map((s) => s.fields)).toEqual(LAYERS.map(expected));
      expect(got.seen.map((s) => s.index)).toEqual([0, 1, 2]);
      for (let i = 1; i < got.seen.length; i++) {
        const gap = got.seen[i]!.cycle - got.seen[i - 1]!.cycle;
        expect(gap).toBeGreaterThan(latency[i - 1]!); // not before the previous layer's layerDone
        expect(gap).toBeLessThanOrEqual(latency[i - 1]! + 12); // a descriptor fetch: 8 words and a little
      }
      expect(got.doneCycles).toEqual([got.seen[2]!.cycle + latency[2]! + 1]);
      expect(got.busyAfter).toBe(0);
    }, 120_000);
  }
});

describe("EngineSequencer Verilog", () => {
  it("passes iverilog -Wall, verilator --lint-only -Wall and yosys check", async () => {
    const d = elaborate(EngineSequencer, { limits: LIMITS, maxLayers: 16 });
    await expectCleanVerilog(d.verilog, d.top);
  }, 120_000);
});

describe("layer descriptors", () => {
  it("derives the output size, pooled or not", () => {
    expect(outputSize(LAYERS[0]!)).toEqual({ ho: 224, wo: 224 });
    expect(outputSize(LAYERS[1]!)).toEqual({ ho: 112, wo: 112 });
    expect(outputSize({ ...LAYERS[0]!, k: 5, p: 0, h: 28, w: 28 })).toEqual({ ho: 24, wo: 24 });
  });

  it("rejects a layer outside the limits, naming the layer, every field, its value and the limit", () => {
    const bad: LayerDescriptor = { ...LAYERS[2]!, cin: 1024, w: 300, p: 3, input: 100, bias: 2 ** 32 };
    expect(() => checkDescriptor(bad, LIMITS, 2)).toThrow(
      new DescriptorError(
        "layer 2 (conv5_3): cin = 1024 is over the engine's maxCin = 512; w = 300 is over the engine's maxWidth = 224; p = 3 is over 2; " +
          "input = 100 is not a multiple of the memory beat (64 bytes); bias = 4294967296 is outside the memory (0..4294967295)",
      ),
    );
    expect(() => checkDescriptor({ ...LAYERS[0]!, k: 7, p: 0, h: 4, w: 4 }, LIMITS, 0)).toThrow("layer 0 (conv1_1): the output map is -2 x -2: the kernel (k = 7, padding 0) does not fit the 4 x 4 input");
  });

  it("a program is checked whole before anything is written", () => {
    const list = [LAYERS[0]!, { ...LAYERS[1]!, cout: 0 }, { ...LAYERS[2]!, k: 9 }];
    expect(() => engineProgram(list, LIMITS, 4)).toThrow("layer 1 (conv1_2): cout = 0 is below 1\nlayer 2 (conv5_3): k = 9 is over the engine's maxKernel = 7");
    expect(() => engineProgram([...LAYERS, ...LAYERS], LIMITS, 4)).toThrow("6 layers is over the engine's maxLayers = 4");
  });
});
