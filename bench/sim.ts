/**
 * Simulation benchmark: co-simulation round trips per second and batch-mode
 * cycles per second on Icarus and Verilator for the same design (an array of
 * 32-bit LFSRs and counters), their ratio, and Verilator's cold build time vs
 * its cache-hit start time.
 *
 *   npx tsx bench/sim.ts [--cycles N]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMain, type ElaboratedDesign, type PortInfo } from "../hdl/core";
import { CliError, integerOption, parseCommandLine, runMain } from "../hdl/core/cli";
import { SimError, simulate, type Backend, type Stimulus } from "../sim";

const LANES = 16;

function lfsrArray(): ElaboratedDesign {
  const L: string[] = [];
  L.push(`module lfsr_array (input clock, input reset, input load, input [31:0] seed, input [31:0] inc, output [31:0] mix, output [31:0] total);`);
  for (let i = 0; i < LANES; i++) {
    L.push(`  reg [31:0] s${i}, c${i};`);
    L.push(`  always @(posedge clock) begin`);
    L.push(`    if (reset) begin s${i} <= 32'h${(0x9e3779b9 * (i + 1)).toString(16).slice(-8).padStart(8, "1")}; c${i} <= 32'd0; end`);
    L.push(`    else if (load) begin s${i} <= seed ^ 32'd${i * 7919 + 1}; c${i} <= inc; end`);
    L.push(`    else begin s${i} <= {s${i}[30:0], s${i}[31] ^ s${i}[21] ^ s${i}[1] ^ s${i}[0]}; c${i} <= c${i} + inc + 32'd${i}; end`);
    L.push(`  end`);
  }
  L.push(`  assign mix = ${Array.from({ length: LANES }, (_, i) => `s${i}`).join(" ^ ")};`);
  L.push(`  assign total = ${Array.from({ length: LANES }, (_, i) => `c${i}`).join(" + ")};`);
  L.push(`endmodule`);
  const port = (name: string, direction: "input" | "output", width: number): PortInfo => ({ name, direction, width, signed: false });
  return {
    top: "lfsr_array",
    verilog: L.join("\n") + "\n",
    ports: [
      port("clock", "input", 1),
      port("reset", "input", 1),
      port("load", "input", 1),
      port("seed", "input", 32),
      port("inc", "input", 32),
      port("mix", "output", 32),
      port("total", "output", 32),
    ],
    clock: "clock",
    reset: "reset",
  };
}

const USAGE = `usage: npx tsx bench/sim.ts [--cycles N]

Co-simulation round trips, batch cycles per second on Icarus and Verilator, and Verilator start times.

  --cycles N    batch cycles on Icarus (Verilator runs ten times as many; default 100000)
  -h, --help    this text`;

const design = lfsrArray();

async function roundTrips(backend: Backend, seconds: number): Promise<number> {
  const sim = await simulate(design, { backend });
  await sim.reset();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (let k = 0; k < 100; k++) {
      sim.poke("inc", n & 0xffff);
      await sim.peek("total");
      n++;
    }
  }
  const rate = n / ((performance.now() - t0) / 1000);
  await sim.close();
  return rate;
}

async function pokeStepPeek(backend: Backend, seconds: number): Promise<number> {
  const sim = await simulate(design, { backend });
  await sim.reset();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (let k = 0; k < 100; k++) {
      sim.poke("inc", n & 0xffff);
      await sim.step();
      await sim.peek("mix");
      n++;
    }
  }
  const rate = n / ((performance.now() - t0) / 1000);
  await sim.close();
  return rate;
}

function stimulus(cycles: number): Stimulus[] {
  let x = 12345;
  return Array.from({ length: cycles }, (_, k) => {
    x = (x * 1103515245 + 12345) >>> 0;
    return { load: k % 1000 === 0 ? 1 : 0, seed: x, inc: x & 0xff };
  });
}

async function batchRate(backend: Backend, stim: Stimulus[]): Promise<{ rate: number; checksum: number }> {
  const sim = await simulate(design, { backend });
  const t0 = performance.now();
  const out = await sim.batch(stim, { resetCycles: 1 });
  const secs = (performance.now() - t0) / 1000;
  await sim.close();
  let checksum = 0;
  for (const s of out) checksum = (checksum ^ Number(s.mix) ^ Number(s.total)) >>> 0;
  return { rate: stim.length / secs, checksum };
}

async function verilatorStart(): Promise<{ scratch: number; cold: number; hit: number }> {
  const cacheDir = mkdtempSync(join(tmpdir(), "bench-vcache-"));
  const time = async (d: ElaboratedDesign): Promise<number> => {
    const t0 = performance.now();
    const s = await simulate(d, { backend: "verilator", cacheDir });
    const ms = performance.now() - t0;
    await s.close();
    return ms;
  };
  try {
    // 1: empty cache (the Verilator runtime is compiled too); 2: another design, runtime
    // cached (the usual cold build); 3: the same design again (cache hit).
    const scratch = await time({ ...design, verilog: design.verilog + "// variant 1\n" });
    const cold = await time(design);
    const hit = await time(design);
    return { scratch, cold, hit };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

const fmt = (x: number): string => Math.round(x).toLocaleString("en-US");

async function main(): Promise<void> {
  const cl = parseCommandLine({ usage: USAGE, options: { cycles: { type: "string" } } });
  if (!cl) return;
  const icarusCycles = integerOption(cl, "cycles", { min: 1 }, 100_000);
  const verilatorCycles = icarusCycles * 10;
  console.log(`design: ${LANES} x (32-bit LFSR + 32-bit counter), XOR/sum outputs`);

  const start = await verilatorStart();
  console.log(`verilator build, empty cache:   ${(start.scratch / 1000).toFixed(2)} s (runtime compiled too)`);
  console.log(`verilator cold build + start:   ${(start.cold / 1000).toFixed(2)} s (runtime objects cached)`);
  console.log(`verilator cache-hit start:      ${(start.hit / 1000).toFixed(3)} s`);
  const icarusStart = performance.now();
  await (await simulate(design, { backend: "iverilog" })).close();
  console.log(`icarus start (compile cached):  ${((performance.now() - icarusStart) / 1000).toFixed(3)} s`);

  for (const backend of ["iverilog", "verilator"] as const) {
    console.log(`${backend.padEnd(9)} co-sim round trips (poke+peek):      ${fmt(await roundTrips(backend, 2))} /s`);
    console.log(`${backend.padEnd(9)} co-sim cycles (poke+step+peek):      ${fmt(await pokeStepPeek(backend, 2))} /s`);
  }
  const ib = await batchRate("iverilog", stimulus(icarusCycles));
  console.log(`iverilog  batch: ${fmt(icarusCycles)} cycles at ${fmt(ib.rate)} cycles/s`);
  const vb = await batchRate("verilator", stimulus(verilatorCycles));
  console.log(`verilator batch: ${fmt(verilatorCycles)} cycles at ${fmt(vb.rate)} cycles/s`);
  const same = await batchRate("verilator", stimulus(icarusCycles));
  if (same.checksum !== ib.checksum) throw new CliError("Icarus and Verilator batch outputs differ");
  console.log(`verilator/icarus batch speed ratio: ${(vb.rate / ib.rate).toFixed(1)}x (outputs identical on ${fmt(icarusCycles)} cycles)`);
}

if (isMain(import.meta.url)) runMain("sim", main, (e) => (e instanceof SimError ? 1 : undefined));
