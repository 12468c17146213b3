/**
 * Final Verilog names, unique per module: ports keep theirs; then instances,
 * memories and signals in creation order; collisions get `_1`, `_2`, ...
 */
import { isImplicitPort } from "./clock.js";
import { HdlError } from "./errors.js";
import type { IrModule } from "./ir.js";

const KEYWORDS = new Set(
  (
    "always and assign automatic begin buf bufif0 bufif1 case casex casez cell cmos config deassign default defparam design " +
    "disable edge else end endcase endconfig endfunction endgenerate endmodule endprimitive endspecify endtable endtask event " +
    "for force forever fork function generate genvar highz0 highz1 if ifnone incdir include initial inout input instance integer " +
    "join large liblist library localparam macromodule medium module nand negedge nmos nor noshowcancelled not notif0 notif1 or " +
    "output parameter pmos posedge primitive pull0 pull1 pulldown pullup pulsestyle_onevent pulsestyle_ondetect rcmos real realtime " +
    "reg release repeat rnmos rpmos rtran rtranif0 rtranif1 scalared showcancelled signed small specify specparam strong0 strong1 " +
    "supply0 supply1 table task time tran tranif0 tranif1 tri tri0 tri1 triand trior trireg unsigned use uwire vectored wait wand " +
    "weak0 weak1 while wire wor xnor xor " +
    // SystemVerilog keywords: Verilator and other tools parse Verilog files as SystemVerilog.
    "alias always_comb always_ff always_latch assert assume before bind bins binsof bit break byte chandle checker class clocking " +
    "const constraint context continue cover covergroup coverpoint cross dist do endchecker endclass endclocking endgroup " +
    "endinterface endpackage endprogram endproperty endsequence enum eventually expect export extends extern final first_match " +
    "foreach forkjoin global iff ignore_bins illegal_bins implements implies import inside int interconnect interface intersect " +
    "join_any join_none let local logic longint matches modport nettype new nexttime null package packed priority program property " +
    "protected pure rand randc randcase randsequence ref reject_on restrict return s_always s_eventually s_nexttime s_until " +
    "s_until_with sequence shortint shortreal soft solve static string strong struct super sync_accept_on sync_reject_on tagged " +
    "this throughout timeprecision timeunit type typedef union unique unique0 until until_with untyped var virtual void wait_order " +
    "weak wildcard with within"
  ).split(" "),
);

/** True for a Verilog-2005 or SystemVerilog keyword. */
export function isKeyword(name: string): boolean {
  return KEYWORDS.has(name);
}

export function sanitize(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_]/g, "_");
  if (s === "" || /^[0-9]/.test(s)) s = `_${s}`;
  if (KEYWORDS.has(s)) s = `${s}_`;
  return s;
}

export class Namer {
  private readonly used = new Set<string>();
  /** Next suffix to try per base name, so many collisions stay linear. */
  private readonly next = new Map<string, number>();

  claim(hint: string): string {
    const base = sanitize(hint);
    let name = base;
    let i = this.next.get(base) ?? 1;
    while (this.used.has(name)) name = `${base}_${i++}`;
    this.next.set(base, i);
    this.used.add(name);
    return name;
  }

  has(name: string): boolean {
    return this.used.has(name);
  }
}

/** Assigns final names to everything declared in `m`; returns the namer for temporaries. */
export function assignNames(m: IrModule): Namer {
  const namer = new Namer();
  // The user's ports keep their names; the implicit clock and reset give way (`clock_1`).
  for (const p of m.ports) {
    if (isImplicitPort(p)) continue;
    const wanted = sanitize(p.hint);
    if (namer.has(wanted)) {
      const first = m.ports.find((q) => q !== p && !isImplicitPort(q) && q.name === wanted);
      throw new HdlError(p.loc, `module ${m.name} has two ports named ${wanted}: rename one with { name: "..." }`, first ? [first.loc] : []);
    }
    p.name = namer.claim(p.hint);
  }
  for (const p of m.ports) if (isImplicitPort(p)) p.name = namer.claim(p.hint);
  for (const inst of m.instances) inst.name = namer.claim(inst.hint);
  for (const mem of m.memories) mem.name = namer.claim(mem.hint);
  for (const s of m.signals) {
    s.name = s.instance && s.childPort ? namer.claim(`${s.instance.name}_${s.childPort.name}`) : namer.claim(s.hint);
  }
  return namer;
}
