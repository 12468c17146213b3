/**
 * The elaboration context: which module body is running and which `when`
 * block statements go into. Builder functions record into it; nothing here
 * checks or emits.
 */
import { HdlError } from "./errors";
import type { IrExpr, IrModule, IrStmt } from "./ir";
import { userLocation, type SourceLoc } from "./source";

export interface ModuleContext {
  readonly module: IrModule;
  /** The statement list of the innermost open block. */
  block: IrStmt[];
  /** Conditions of the enclosing `when` blocks, outermost first (for memory port enables). */
  readonly conditions: IrExpr[];
  /** The generator's name and where this module was instantiated (for parameter errors). */
  readonly generator: string;
  readonly site: SourceLoc;
}

const stack: ModuleContext[] = [];
let nextId = 1;

export function freshId(): number {
  return nextId++;
}

/** The module body being elaborated; `what` names the construct for the error. */
export function currentContext(what: string): ModuleContext {
  const top = stack[stack.length - 1];
  if (!top) throw new HdlError(userLocation(), `${what} can only be used inside a module body (defineModule)`);
  return top;
}

export function hasContext(): boolean {
  return stack.length > 0;
}

export function withContext<T>(ctx: ModuleContext, body: () => T): T {
  stack.push(ctx);
  try {
    return body();
  } finally {
    stack.pop();
  }
}

/** Runs `body` with statements recorded into `block` and `conds` added to the condition path. */
export function inBlock(ctx: ModuleContext, block: IrStmt[], conds: readonly IrExpr[], body: () => void): void {
  const savedBlock = ctx.block;
  const depth = ctx.conditions.length;
  ctx.block = block;
  ctx.conditions.push(...conds);
  try {
    body();
  } finally {
    ctx.block = savedBlock;
    ctx.conditions.length = depth;
  }
}
