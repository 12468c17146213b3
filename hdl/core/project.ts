/**
 * Per-signal views of a module body: for every driven signal, the statement tree restricted to
 * its own connections (one pass over the body, without recursion).
 */
import type { IrExpr, IrSignal, IrStmt, IrWhen } from "./ir.js";
import { forEachRead } from "./walk.js";

/** The body restricted to one target: connects to it, and the `when`s around them. */
export type Projection = IrStmt[];

type Projections = Map<IrSignal, Projection>;

/** One block being projected; a `when` at `i` waits for the projections of its two branches. */
interface Frame {
  readonly block: readonly IrStmt[];
  i: number;
  readonly out: Projections;
  thenMap: Projections | undefined;
}

export function projectAll(body: readonly IrStmt[]): Projections {
  const frame = (block: readonly IrStmt[]): Frame => ({ block, i: 0, out: new Map(), thenMap: undefined });
  const stack: Frame[] = [frame(body)];
  let done: Projections | undefined;
  for (;;) {
    const f = stack[stack.length - 1]!;
    if (done !== undefined) {
      // A branch of the `when` at f.i has just been projected.
      const w = f.block[f.i] as IrWhen;
      if (f.thenMap === undefined) {
        f.thenMap = done;
        done = undefined;
        stack.push(frame(w.otherwise));
        continue;
      }
      mergeWhen(f.out, w, f.thenMap, done);
      f.thenMap = undefined;
      done = undefined;
      f.i++;
    }
    if (f.i === f.block.length) {
      stack.pop();
      if (stack.length === 0) return f.out;
      done = f.out;
      continue;
    }
    const s = f.block[f.i]!;
    if (s.k === "connect") {
      append(f.out, s.target, s);
      f.i++;
    } else stack.push(frame(s.then));
  }
}

function mergeWhen(out: Projections, w: IrWhen, thenMap: Projections, elseMap: Projections): void {
  for (const target of new Set([...thenMap.keys(), ...elseMap.keys()])) {
    append(out, target, { k: "when", cond: w.cond, then: thenMap.get(target) ?? [], otherwise: elseMap.get(target) ?? [], loc: w.loc });
  }
}

function append(map: Projections, target: IrSignal, stmt: IrStmt): void {
  const list = map.get(target);
  if (list) list.push(stmt);
  else map.set(target, [stmt]);
}

/** True if the statements drive their target on every path. */
export function drivesFully(stmts: readonly IrStmt[]): boolean {
  // Bottom-up over the blocks: a block drives fully if it has a connect, or a `when` whose branches both do.
  const full = new Map<readonly IrStmt[], boolean>();
  const stack: (readonly IrStmt[])[] = [stmts];
  while (stack.length > 0) {
    const block = stack[stack.length - 1]!;
    if (full.has(block)) {
      stack.pop();
      continue;
    }
    if (block.some((s) => s.k === "connect")) {
      full.set(block, true);
      stack.pop();
      continue;
    }
    let waiting = false;
    for (const s of block) {
      if (s.k !== "when") continue;
      for (const branch of [s.then, s.otherwise]) {
        if (!full.has(branch)) {
          stack.push(branch);
          waiting = true;
        }
      }
    }
    if (waiting) continue;
    full.set(block, block.some((s) => s.k === "when" && full.get(s.then) === true && full.get(s.otherwise) === true));
    stack.pop();
  }
  return full.get(stmts)!;
}

/** The only statement, if the projection is a single unconditional connect. */
export function singleConnect(stmts: readonly IrStmt[]): IrExpr | undefined {
  const only = stmts.length === 1 ? stmts[0] : undefined;
  return only?.k === "connect" ? only.value : undefined;
}

/** Every expression a projection reads: connected values and conditions. */
export function readsOf(stmts: readonly IrStmt[], visit: (e: IrExpr) => void): void {
  forEachRead(stmts, visit);
}

/** Calls `visit` on every signal referenced by `e` (each op node once). */
export function refsOf(e: IrExpr, visit: (s: IrSignal) => void, seen: Set<IrExpr> = new Set()): void {
  const stack: IrExpr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x.k === "ref") visit(x.signal);
    else if (x.k === "op" && !seen.has(x)) {
      seen.add(x);
      for (const a of x.args) stack.push(a);
    }
  }
}
