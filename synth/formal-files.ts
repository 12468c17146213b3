/**
 * The files of a formal run: the design's Verilog, a wrapper top that holds reset high in step 0
 * (so every trace starts from reset, as a simulation does) and the Yosys script that turns them
 * into an SMT-LIB model for yosys-smtbmc. The design is read with `-formal -DSYNTHESIS`: its
 * `ifdef FORMAL` checks are in, its simulation-only blocks are out.
 */
import type { ElaboratedDesign } from "../hdl/core/design.js";

export const FORMAL_TOP = "__formal_top";

function range(width: number): string {
  return width > 1 ? `[${width - 1}:0] ` : "";
}

/** A top with the design's ports that instantiates it and assumes reset in the first step. */
export function formalWrapper(design: ElaboratedDesign): string {
  const ports = design.ports.map((p) => `  ${p.direction} wire ${p.signed ? "signed " : ""}${range(p.width)}${p.name}`);
  const lines = [`module ${FORMAL_TOP} (`, ports.join(",\n"), ");"];
  if (design.clock !== undefined && design.reset !== undefined) {
    lines.push(
      "  reg __formal_init = 1'b1;",
      `  always @(posedge ${design.clock}) __formal_init <= 1'b0;`,
      `  always @(*) if (__formal_init) assume (${design.reset});`,
    );
  }
  lines.push(`  ${design.top} dut (`, design.ports.map((p) => `    .${p.name}(${p.name})`).join(",\n"), "  );", "endmodule", "");
  return lines.join("\n");
}

/** The Yosys script writing `model.smt2` from `design.v` and `wrapper.v`. */
export function smt2Script(): string {
  return [
    "read_verilog -formal -DSYNTHESIS design.v",
    "read_verilog -formal wrapper.v",
    `prep -top ${FORMAL_TOP}`,
    "memory_nordff",
    "async2sync",
    "dffunmap",
    "opt_clean",
    "write_smt2 -wires model.smt2",
  ].join("; ");
}
