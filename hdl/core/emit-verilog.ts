/**
 * The Verilog-2005 emitter: reads the checked, named IR and prints one module per generated
 * module, children before parents, blackbox sources once each. The text is lint-clean
 * whatever the file holding it is called. Memory contents asked for as files (`initAsFile`)
 * come back beside the text.
 */
import { ModuleEmitter } from "./emit-module.js";
import type { DataFiles } from "./emit-memory.js";
import type { IrDesign, IrModule } from "./ir.js";
import type { Namer } from "./names.js";

export interface VerilogOutput {
  readonly verilog: string;
  /** `$readmemh` data files the Verilog names: file name -> contents. */
  readonly files: DataFiles;
}

/** The waiver at the top of every file: module names need not match the file name (one file holds the hierarchy). */
const FILE_WAIVER = "/* verilator lint_off DECLFILENAME */\n";

export function emitVerilog(design: IrDesign, namers: Map<IrModule, Namer>): VerilogOutput {
  const parts: string[] = [FILE_WAIVER];
  const files: DataFiles = new Map();
  const verbatim = new Set<string>();
  for (const m of design.modules) {
    if (m.blackbox) {
      if (m.blackbox.verilog !== undefined && !verbatim.has(m.blackbox.verilog)) {
        verbatim.add(m.blackbox.verilog);
        parts.push(m.blackbox.verilog.endsWith("\n") ? m.blackbox.verilog : `${m.blackbox.verilog}\n`);
      }
      continue;
    }
    parts.push(new ModuleEmitter(m, namers.get(m)!, files).emit());
  }
  return { verilog: parts.join("\n"), files };
}
