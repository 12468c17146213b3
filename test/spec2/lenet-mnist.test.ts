/**
 * End to end on a few MNIST test images: both LeNet conv layers on the
 * simulated RTL (Icarus), the rest in TypeScript, with the committed weights.
 * Every conv output word and every prediction must equal the golden model's.
 */
import { describe, expect, it } from "vitest";
import { runLeNetOnRtl } from "../../hdl/spec2/lenet-mnist";

describe("LeNet-5 on MNIST through the RTL", () => {
  it("agrees with the fixed-point golden model on every word and prediction", async () => {
    const r = await runLeNetOnRtl({ images: 6, backend: "iverilog", quiet: true });
    expect(r.images).toBe(6);
    expect(r.wordMismatches).toBe(0);
    expect(r.mismatches).toBe(0);
    expect(r.accuracy).toBe(r.goldenAccuracy);
    expect(r.accuracy).toBeGreaterThanOrEqual(5 / 6);
    expect(r.cyclesPerImage).toBeGreaterThan(0);
  });
});
