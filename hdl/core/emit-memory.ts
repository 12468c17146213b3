/**
 * Verilog of one memory: its declaration, initial contents and ports, in the shape Yosys maps
 * to block RAM (synchronous read) or LUT RAM. Rules the emitted text guarantees on every
 * simulator (hdl/core/README.md, "IR semantics", written once for the emitter and sim/js/):
 * - write ports of one memory share one always block, in program order, so when two write the
 *   same address in one cycle the later port wins;
 * - a synchronous read of an address written in the same cycle returns the old word
 *   (read-first); an asynchronous read sees the new word after the clock edge;
 * - a memory whose depth D is not a power of two has 2^n words in simulation (n address bits),
 *   the words from D up starting at 0: reads beyond the depth give 0 until written there.
 *   Synthesis (`SYNTHESIS` defined) gets exactly D words; out-of-range reads are then undefined.
 */
import type { ExprWriter } from "./emit-expr.js";
import type { IrDomain, IrMemory } from "./ir.js";
import type { Namer } from "./names.js";
import { formatLoc } from "./source.js";
import { log2Ceil } from "./types.js";
import { IND, hexWord, literal, range } from "./verilog-text.js";

/** Data files written next to the Verilog (`initAsFile`): file name -> `$readmemh` text. */
export type DataFiles = Map<string, string>;

function addrBits(mem: IrMemory): number {
  return log2Ceil(mem.depth);
}

/** Words the simulator's array has: the depth rounded up to what the address can reach. */
function simDepth(mem: IrMemory): number {
  return 2 ** addrBits(mem);
}

/** Registers every expression the memory's ports render, in rendering order. */
export function prepareMemory(mem: IrMemory, w: ExprWriter): void {
  // addresses as identifiers (see emit-expr.ts operandContext, memRead): no arithmetic in an index
  for (const p of mem.writePorts) {
    w.prepareIdent(p.addr);
    w.prepareExt(p.data, mem.width);
    if (!isAlways(p.enable)) w.prepareRhs(p.enable, 1);
  }
  for (const r of mem.readPorts) {
    if (r.kind !== "sync") continue;
    w.prepareIdent(r.addr);
    if (r.enable) w.prepareRhs(r.enable, 1);
  }
}

function isAlways(e: IrMemory["writePorts"][number]["enable"]): boolean {
  return e.k === "lit" && e.value === 1n;
}

/** The declaration; for a depth that is not a power of two, padded in simulation (see the header). */
export function memoryDeclaration(mem: IrMemory): string[] {
  const attr = mem.style ? `(* ram_style = "${mem.style}" *) ` : "";
  const decl = (words: number, note: string): string =>
    `${IND}${attr}reg ${mem.signed ? "signed " : ""}${range(mem.width)}${mem.name} [0:${words - 1}]; // ${formatLoc(mem.loc)}${note}`;
  const sim = simDepth(mem);
  if (sim === mem.depth) return [decl(mem.depth, "")];
  return ["`ifdef SYNTHESIS", decl(mem.depth, ""), "`else", decl(sim, `: ${sim} words in simulation, those beyond the depth read as 0 until written`), "`endif"];
}

/** Initial contents, write ports and synchronous read ports. */
export function memoryLogic(mem: IrMemory, w: ExprWriter, namer: Namer, files: DataFiles, clockOf: (d: IrDomain | undefined) => string): string[] {
  const lines = [...initialContents(mem, namer, files)];
  const bits = addrBits(mem);
  const writes = mem.writePorts.map((p) => {
    const write = `${mem.name}[${w.ext(p.addr, bits)}] <= ${w.ext(p.data, mem.width)};`;
    return { text: isAlways(p.enable) ? write : `if (${w.rhs(p.enable, 1)}) ${write}`, loc: formatLoc(p.loc) };
  });
  // all write ports share one domain (checked when they are made)
  const clock = clockOf(mem.writePorts[0]?.domain);
  if (writes.length === 1) {
    lines.push(`${IND}always @(posedge ${clock}) begin // ${writes[0]!.loc}`, `${IND}${IND}${writes[0]!.text}`, `${IND}end`);
  } else if (writes.length > 1) {
    lines.push(`${IND}always @(posedge ${clock}) begin // ${writes.length} write ports: the last one enabled wins at a shared address`);
    for (const x of writes) lines.push(`${IND}${IND}${x.text} // ${x.loc}`);
    lines.push(`${IND}end`);
  }
  for (const r of mem.readPorts) {
    if (r.kind !== "sync") continue;
    const read = `${r.data!.name} <= ${mem.name}[${w.ext(r.addr, bits)}];`;
    lines.push(`${IND}always @(posedge ${clockOf(r.domain)}) begin // ${formatLoc(r.loc)}`);
    lines.push(r.enable ? `${IND}${IND}if (${w.rhs(r.enable, 1)}) ${read}` : `${IND}${IND}${read}`);
    lines.push(`${IND}end`);
  }
  return lines;
}

function initialContents(mem: IrMemory, namer: Namer, files: DataFiles): string[] {
  const sim = simDepth(mem);
  const padded = sim !== mem.depth;
  // A padded array is loaded over the memory's own words only (no warning about a short file).
  const readRange = padded ? `, 0, ${mem.depth - 1}` : "";
  const lines: string[] = [];
  if (mem.initFile !== undefined) lines.push(`${IND}initial $readmemh(${JSON.stringify(mem.initFile)}, ${mem.name}${readRange});`);
  else if (mem.initPlusarg !== undefined) {
    // the file name comes from the simulator's command line: +NAME=FILE (simulation only)
    const file = namer.claim(`${mem.name}_file`);
    lines.push(`${IND}// synthesis translate_off`);
    lines.push(`${IND}reg [8*1024-1:0] ${file};`);
    lines.push(`${IND}initial if ($value$plusargs(${JSON.stringify(`${mem.initPlusarg}=%s`)}, ${file})) $readmemh(${file}, ${mem.name}${readRange});`);
    lines.push(`${IND}// synthesis translate_on`);
  } else if (mem.init && mem.initAsFile) {
    const name = `${mem.module.name}_${mem.name}.hex`;
    const words: string[] = new Array<string>(mem.depth);
    for (let i = 0; i < mem.depth; i++) words[i] = hexWord(mem.init[i] ?? 0n, mem.width);
    files.set(name, `${words.join("\n")}\n`);
    lines.push(`${IND}initial $readmemh(${JSON.stringify(name)}, ${mem.name}${readRange});`);
  } else if (mem.init) {
    lines.push(`${IND}initial begin`);
    for (let i = 0; i < mem.depth; i++) lines.push(`${IND}${IND}${mem.name}[${i}] = ${literal(mem.init[i] ?? 0n, mem.width, mem.signed)};`);
    lines.push(`${IND}end`);
  }
  if (padded) {
    const i = namer.claim(`${mem.name}_pad`);
    lines.push("`ifndef SYNTHESIS");
    lines.push(`${IND}integer ${i};`);
    lines.push(`${IND}initial for (${i} = ${mem.depth}; ${i} < ${sim}; ${i} = ${i} + 1) ${mem.name}[${i}] = ${literal(0n, mem.width, mem.signed)};`);
    lines.push("`endif");
  }
  return lines;
}
