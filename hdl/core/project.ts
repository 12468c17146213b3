/**
 * Per-signal views of a module body: for every driven signal, the statement
 * tree restricted to its own connections (one pass over the body).
 */
import type { IrExpr, IrSignal, IrStmt } from "./ir";

/** The body restricted to one target: connects to it, and the `when`s around them. */
export type Projection = IrStmt[];

export function projectAll(body: readonly IrStmt[]): Map<IrSignal, Projection> {
  const out = new Map<IrSignal, Projection>();
  for (const stmt of body) {
    if (stmt.k === "connect") {
      append(out, stmt.target, stmt);
      continue;
    }
    const thenMap = projectAll(stmt.then);
    const elseMap = projectAll(stmt.otherwise);
    for (const target of new Set([...thenMap.keys(), ...elseMap.keys()])) {
      append(out, target, { k: "when", cond: stmt.cond, then: thenMap.get(target) ?? [], otherwise: elseMap.get(target) ?? [], loc: stmt.loc });
    }
  }
  return out;
}

function append(map: Map<IrSignal, Projection>, target: IrSignal, stmt: IrStmt): void {
  const list = map.get(target);
  if (list) list.push(stmt);
  else map.set(target, [stmt]);
}

/** True if the statements drive their target on every path. */
export function drivesFully(stmts: readonly IrStmt[]): boolean {
  return stmts.some((s) => s.k === "connect" || (drivesFully(s.then) && drivesFully(s.otherwise)));
}

/** The only statement, if the projection is a single unconditional connect. */
export function singleConnect(stmts: readonly IrStmt[]): IrExpr | undefined {
  const only = stmts.length === 1 ? stmts[0] : undefined;
  return only?.k === "connect" ? only.value : undefined;
}

/** Every expression a projection reads: connected values and conditions. */
export function readsOf(stmts: readonly IrStmt[], visit: (e: IrExpr) => void): void {
  for (const s of stmts) {
    if (s.k === "connect") visit(s.value);
    else {
      visit(s.cond);
      readsOf(s.then, visit);
      readsOf(s.otherwise, visit);
    }
  }
}

/** Calls `visit` on every signal referenced by `e` (each op node once). */
export function refsOf(e: IrExpr, visit: (s: IrSignal) => void, seen: Set<IrExpr> = new Set()): void {
  const stack: IrExpr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x.k === "ref") visit(x.signal);
    else if (x.k === "op" && !seen.has(x)) {
      seen.add(x);
      stack.push(...x.args);
    }
  }
}
