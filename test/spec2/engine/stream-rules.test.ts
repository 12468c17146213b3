/**
 * The ready/valid rule (valid held, word unchanged, until ready) on the output streams of the
 * engine's units, proved by k-induction from the assertions the units make (assertStreamRules):
 * the MapLoader's `ar` and `out` (commands of a valid shape assumed; the words of a beat past its
 * row's end are outside the rule, see map-loader.ts), the MapWriter's `aw` and `w` (given that
 * `in` keeps its group until taken), the EngineSequencer's `layer` (every input free). Broken
 * variants are refuted in test/lib/stream-rules.test.ts and test/spec2/formal.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { BurstPortParams } from "../../../hdl/lib";
import type { EngineLimits } from "../../../hdl/spec2/engine/descriptor";
import { EngineSequencer } from "../../../hdl/spec2/engine/sequencer";
import { prove, type ProveResult } from "../../../synth/index";
import { LoaderStreamRules, WriterStreamRules } from "./fixtures/stream-harness";

// small shapes: 4 words of 16 bits per beat, bursts of up to 4 beats, maps of up to 3 x 3 x 7
const PORT: BurstPortParams = { addrBits: 8, dataBytes: 8, lenBits: 2 };
const SHAPE = { maxChannels: 3, maxHeight: 3, maxWidth: 7 };
const LIMITS: EngineLimits = { K: 4, maxCin: 4, maxCout: 4, maxHeight: 8, maxWidth: 8, maxKernel: 3, memoryBytes: 2 ** 8, beatBytes: 8 };

function expectProved(r: ProveResult, ...streams: string[]): void {
  expect(r.status).toBe("proved");
  const messages = r.checks.map((c) => c.message);
  for (const s of streams) expect(messages).toEqual(expect.arrayContaining([`${s}: valid stays high until ready`, `${s}: the word stays unchanged until ready`]));
}

describe("engine stream rules (k-induction)", () => {
  it("MapLoader ar and out", async () => {
    expectProved(await prove(LoaderStreamRules, { port: PORT, loadWords: 3, ...SHAPE }, { depth: 4 }), "ar", "out");
  });

  it("MapWriter aw and w", async () => {
    expectProved(await prove(WriterStreamRules, { port: PORT, K: 4, ...SHAPE }, { depth: 4 }), "aw", "w");
  });

  it("EngineSequencer layer", async () => {
    expectProved(await prove(EngineSequencer, { limits: LIMITS, maxLayers: 2 }, { depth: 4 }), "layer");
  });
});
