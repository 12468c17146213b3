/**
 * The module structure of elaborated Verilog (as hdl/core emits it: `module NAME (` at the start
 * of a line, `endmodule` alone on one, an instance as `  MODULE inst (`), for benchmarks that
 * synthesise a design's blocks one by one.
 */

/** Each module's text, `module` to `endmodule`, by name, in file order. */
export function moduleBodies(verilog: string): Map<string, string> {
  const bodies = new Map<string, string>();
  const re = /^module ([A-Za-z_][A-Za-z0-9_$]*)[\s\S]*?^endmodule\b.*$/gm;
  for (const m of verilog.matchAll(re)) bodies.set(m[1]!, m[0]);
  return bodies;
}

/** The modules `parent` instantiates directly, with instance counts. */
export function instancesIn(bodies: ReadonlyMap<string, string>, parent: string): Map<string, number> {
  const body = bodies.get(parent);
  if (body === undefined) throw new Error(`no module ${parent} in the Verilog`);
  const found = new Map<string, number>();
  for (const m of body.matchAll(/^\s+([A-Za-z_][A-Za-z0-9_$]*)\s+[A-Za-z_][A-Za-z0-9_$]*\s*\(/gm)) {
    const name = m[1]!;
    if (bodies.has(name) && name !== parent) found.set(name, (found.get(name) ?? 0) + 1);
  }
  return found;
}

/** `top` and every module below it, `top` first. */
export function moduleClosure(bodies: ReadonlyMap<string, string>, top: string): string[] {
  const seen = new Set<string>();
  const visit = (m: string): void => {
    if (seen.has(m)) return;
    seen.add(m);
    for (const child of instancesIn(bodies, m).keys()) visit(child);
  };
  visit(top);
  return [...seen];
}

/** A module's header (`module NAME (` .. `);`) as an empty black box, for synthesising its parent alone. */
export function blackBox(body: string): string {
  const end = body.search(/^\);\s*$/m);
  if (end < 0) throw new Error("a module header without a closing ');' line");
  return `(* blackbox *)\n${body.slice(0, end)});\nendmodule`;
}

/** `parents`' own text with every other module they instantiate as a black box: their logic outside the blocks. */
export function shellOf(bodies: ReadonlyMap<string, string>, parents: readonly string[]): string {
  const children = new Set(parents.flatMap((p) => [...instancesIn(bodies, p).keys()]).filter((m) => !parents.includes(m)));
  return [...parents.map((p) => bodies.get(p)!), ...[...children].map((m) => blackBox(bodies.get(m)!))].join("\n");
}
