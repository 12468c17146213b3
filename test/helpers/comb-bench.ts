/**
 * Applies input vectors to a combinational design in Icarus Verilog and reads
 * every output back: a plain generated testbench, independent of sim/.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ElaboratedDesign } from "../../hdl/core";

export type Vector = Record<string, bigint>;

function bitsOf(v: bigint, width: number): bigint {
  return v & ((1n << BigInt(width)) - 1n);
}

/** Output values (as unsigned bit patterns) for each input vector. */
export function runCombinational(design: ElaboratedDesign, vectors: readonly Vector[]): Vector[] {
  const inputs = design.ports.filter((p) => p.direction === "input");
  const outputs = design.ports.filter((p) => p.direction === "output");
  const decl = (w: number): string => (w === 1 ? "" : `[${w - 1}:0] `);
  const tb = [
    "module tb;",
    ...inputs.map((p) => `  reg ${decl(p.width)}${p.name};`),
    ...outputs.map((p) => `  wire ${decl(p.width)}${p.name};`),
    `  ${design.top} dut (${design.ports.map((p) => `.${p.name}(${p.name})`).join(", ")});`,
    "  initial begin",
    ...vectors.flatMap((v) => [
      ...inputs.map((p) => `    ${p.name} = ${p.width}'h${bitsOf(v[p.name] ?? 0n, p.width).toString(16)};`),
      "    #1;",
      `    $display("${outputs.map(() => "%h").join(" ")}", ${outputs.map((p) => p.name).join(", ")});`,
    ]),
    "    $finish;",
    "  end",
    "endmodule",
  ].join("\n");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "comb-bench-"));
  try {
    fs.writeFileSync(path.join(dir, "design.v"), design.verilog);
    fs.writeFileSync(path.join(dir, "tb.v"), tb);
    const compile = spawnSync("iverilog", ["-o", "sim.vvp", "-s", "tb", "tb.v", "design.v"], { cwd: dir, encoding: "utf8" });
    if (compile.error) throw new Error(`iverilog could not run (${compile.error.message}): apt-get install iverilog`);
    if (compile.status !== 0) throw new Error(`iverilog failed:\n${compile.stderr}`);
    const run = spawnSync("vvp", ["-n", "sim.vvp"], { cwd: dir, encoding: "utf8", maxBuffer: 1 << 28 });
    if (run.status !== 0) throw new Error(`vvp failed:\n${run.stderr}`);
    const rows = run.stdout.split("\n").filter((l) => /^[0-9a-fxz ]+$/i.test(l) && l.trim() !== "");
    return rows.map((row) => {
      const fields = row.trim().split(/\s+/);
      const out: Vector = {};
      outputs.forEach((p, i) => {
        const f = fields[i]!;
        if (/[xz]/i.test(f)) throw new Error(`output ${p.name} is ${f}`);
        out[p.name] = BigInt(`0x${f}`);
      });
      return out;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
