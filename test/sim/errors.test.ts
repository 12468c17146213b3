import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ElaboratedDesign } from "../../hdl/core/design";
import {
  SimCompileError,
  SimCycleLimitError,
  SimProcessError,
  SimTimeoutError,
  SimToolMissingError,
  SimUsageError,
  SimXError,
  runBatch,
  simulate,
  type Backend,
  type Stimulus,
} from "../../sim/index";
import { counter, fixtureVerilog } from "./fixtures";

const faulty: ElaboratedDesign = {
  top: "faulty",
  verilog: fixtureVerilog("faulty.v"),
  ports: [
    { name: "clock", direction: "input", width: 1, signed: false },
    { name: "hang", direction: "input", width: 1, signed: false },
    { name: "die", direction: "input", width: 1, signed: false },
    { name: "load", direction: "input", width: 1, signed: false },
    { name: "d", direction: "input", width: 8, signed: false },
    { name: "q", direction: "output", width: 8, signed: false },
    { name: "spins", direction: "output", width: 32, signed: false },
  ],
  clock: "clock",
};

/** Verilog as the core emits it: declarations carry `// file:line` comments. */
const broken: ElaboratedDesign = {
  top: "broken",
  verilog: [
    "module broken (",
    "  input clock,",
    "  input [3:0] a,   // examples/broken.ts:4",
    "  output [3:0] y   // examples/broken.ts:5",
    ");",
    "  wire [3:0] t = a + ;   // examples/broken.ts:12",
    "  assign y = t;   // examples/broken.ts:13",
    "endmodule",
    "",
  ].join("\n"),
  ports: [
    { name: "clock", direction: "input", width: 1, signed: false },
    { name: "a", direction: "input", width: 4, signed: false },
    { name: "y", direction: "output", width: 4, signed: false },
  ],
  clock: "clock",
};

const backends: Backend[] = ["iverilog", "verilator"];

describe.each(backends)("%s errors", (backend) => {
  it("a missing simulator says how to install it", async () => {
    const saved = process.env.PATH;
    process.env.PATH = "/nonexistent-sim-path";
    try {
      const err = await simulate(counter, { backend, cacheDir: mkdtempSync(join(tmpdir(), "simcache-")) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SimToolMissingError);
      expect((err as Error).message).toBe(
        backend === "iverilog"
          ? "iverilog was not found on PATH; install it with `apt-get install iverilog`"
          : "verilator was not found on PATH; install it with `apt-get install verilator`",
      );
    } finally {
      process.env.PATH = saved;
    }
  });

  it("Verilog that does not compile shows the tool's message and the TypeScript line", async () => {
    const err = await simulate(broken, { backend }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimCompileError);
    const msg = (err as Error).message;
    expect(msg).toMatch(new RegExp(`^${backend} failed to compile the design:`));
    expect(msg).toMatch(/design\.v:6/); // the tool's own message
    expect(msg).toMatch(/design\.v:6 \(from examples\/broken\.ts:12\): wire \[3:0\] t = a \+ ;/);
    expect((err as SimCompileError).hints[0]?.tsLocation).toBe("examples/broken.ts:12");
  });

  it("exceeding maxCycles stops the simulation", async () => {
    const sim = await simulate(counter, { backend, maxCycles: 10 });
    await sim.reset();
    await sim.step(9);
    await expect(sim.step(1)).rejects.toThrow(SimCycleLimitError);
    await expect(sim.peek("count")).rejects.toThrow(
      "cycle limit exceeded: 11 cycles requested, maxCycles is 10; the simulator was stopped",
    );
    await sim.close();
    const batch = runBatch(counter, new Array(20).fill({ en: 1 }), { backend, maxCycles: 5 });
    await expect(batch).rejects.toThrow(/cycle limit exceeded: 20 cycles requested, maxCycles is 5/);
  });

  it("a design that loops forever hits the time limit and is killed", async () => {
    const sim = await simulate(faulty, { backend, timeoutMs: 1500 });
    sim.poke("hang", 1);
    const t0 = Date.now();
    const err = await sim.step().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimTimeoutError);
    expect((err as Error).message).toBe("simulator timed out after 1500 ms waiting for step(1); the process was killed");
    expect(Date.now() - t0).toBeLessThan(10_000);
    await expect(sim.peek("q")).rejects.toThrow(SimTimeoutError);
    await sim.close();
  });

  it("a simulator process that dies is reported with its output", async () => {
    const sim = await simulate(faulty, { backend });
    sim.poke("die", 1);
    const err = await sim.step(3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimProcessError);
    const msg = (err as Error).message;
    expect(msg).toMatch(new RegExp(`^${backend} simulator process exited with code 0 unexpectedly; its output:`));
    expect(msg).toMatch(/faulty: die was set, calling \$finish/);
    await sim.close();
  });

  it("API misuse is reported by name", async () => {
    const sim = await simulate(counter, { backend });
    try {
      expect(() => sim.poke("nope", 1)).toThrow('no port "nope" on counter; ports: clock, reset, en, step, count, wrap');
      expect(() => sim.poke("count", 1)).toThrow('cannot poke output "count" of counter');
      expect(() => sim.poke("clock", 1)).toThrow('cannot poke the clock "clock": use step()');
      expect(() => sim.poke("step", 256)).toThrow('poke("step", 256): out of range for a 8-bit port, expected 0 .. 255');
      expect(() => sim.poke("step", -1)).toThrow(SimUsageError);
      expect(() => sim.poke("step", 1.5)).toThrow('poke("step", 1.5): value must be a safe integer or a bigint');
      await expect(sim.peek("nope")).rejects.toThrow('no port "nope" on counter');
    } finally {
      await sim.close();
    }
    expect(() => sim.poke("en", 1)).toThrow("the simulation is closed");
  });
});

describe("X/Z detection (Icarus; Verilator is two-state)", () => {
  let closeMe: (() => Promise<void>) | undefined;
  afterEach(async () => closeMe?.());

  it("peeking an output that is X names the port", async () => {
    const sim = await simulate(faulty, { backend: "iverilog" });
    closeMe = () => sim.close();
    await sim.step(2);
    const err = await sim.peek("q").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimXError);
    expect((err as Error).message).toBe(
      'port "q" is X/Z at cycle 2 (value xx); registers without a reset value stay X until reset: call sim.reset() or drive every input',
    );
    // The session survives: load a value and peek again.
    sim.poke("load", 1);
    sim.poke("d", 0xa5);
    await sim.step();
    expect(await sim.peek("q")).toBe(0xa5);
  });

  it("batch mode reports the port and the cycle of an X sample", async () => {
    const stim: Stimulus[] = [{ load: 0 }, { load: 0 }, { load: 1, d: 3 }, { load: 0 }];
    await expect(runBatch(faulty, stim, { backend: "iverilog" })).rejects.toThrow(/^port "q" is X\/Z at cycle 0 \(value xx\)/);
    const ok = await runBatch(faulty, stim, { backend: "iverilog", skip: 3 });
    expect(ok).toEqual([{ q: 3, spins: 0 }]);
    const some = await runBatch(faulty, stim, { backend: "iverilog", allowX: ["q"] });
    expect(some).toEqual([{ spins: 0 }, { spins: 0 }, { spins: 0 }, { q: 3, spins: 0 }]);
  });

  it("tryPeek and peekAll({ allowX }) report X as absent instead of raising", async () => {
    const sim = await simulate(faulty, { backend: "iverilog" });
    closeMe = () => sim.close();
    expect(await sim.tryPeek("q")).toBeUndefined();
    expect(await sim.tryPeek("spins")).toBe(0);
    expect(await sim.peekAll({ allowX: true })).toEqual({ spins: 0 });
    await expect(sim.peekAll()).rejects.toThrow(/^port "q" is X\/Z at cycle 0/);
  });
});
