import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Fifo } from "../../examples/fifo";
import { elaborate } from "../../hdl/core/index";
import { synthesize } from "../../synth/index";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = (f: string): string => readFileSync(join(root, "test/fixtures/verilog", f), "utf8");

describe("memory inference (Xilinx 7-series)", () => {
  it("a 1024x16 synchronous-read memory maps to block RAM", async () => {
    const r = await synthesize(fixture("mem1024x16.v"), { top: "mem1024x16" });
    expect(r.bram18 + r.bram36).toBeGreaterThanOrEqual(1);
    expect(r.bram18Equivalent).toBe(1); // 16 kbit fits one RAMB18
    expect(r.lutram).toBe(0);
    expect(r.ff).toBe(0); // the read register is absorbed into the RAMB18
  });

  it("a 32x8 synchronous-read memory maps to LUT RAM", async () => {
    const r = await synthesize(fixture("mem32x8.v"), { top: "mem32x8" });
    expect(r.lutram).toBeGreaterThanOrEqual(1);
    expect(r.bram18 + r.bram36).toBe(0);
    expect(r.cells.RAM32M).toBe(r.lutram);
    expect(r.lutramLuts).toBe(4 * r.lutram);
  });
});

describe("memory inference of the language's FIFO example (examples/fifo.ts)", () => {
  it("Fifo{width:16, depth:1024} puts its storage in block RAM", async () => {
    const r = await synthesize(elaborate(Fifo, { width: 16, depth: 1024 }));
    expect(r.bram18 + r.bram36).toBeGreaterThanOrEqual(1);
    expect(r.lutram).toBe(0);
    expect(r.ff).toBeLessThan(64); // pointers and flags only, not 16 kbit of flip-flops
  });

  it("Fifo{width:16, depth:16} puts its storage in LUT RAM", async () => {
    const r = await synthesize(elaborate(Fifo, { width: 16, depth: 16 }));
    expect(r.lutram).toBeGreaterThanOrEqual(1);
    expect(r.bram18 + r.bram36).toBe(0);
  });
});
