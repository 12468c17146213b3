/**
 * The elaboration context: which module body is running and which `when`
 * block statements go into. Builder functions record into it; nothing here
 * checks or emits.
 */
import { HdlError } from "./errors.js";
import type { IrDomain, IrExpr, IrModule, IrStmt } from "./ir.js";
import { userLocation, type SourceLoc } from "./source.js";

export interface ModuleContext {
  readonly module: IrModule;
  /** The statement list of the innermost open block. */
  block: IrStmt[];
  /** Conditions of the enclosing `when` blocks, outermost first (for memory port enables). */
  readonly conditions: IrExpr[];
  /** The generator's name and where this module was instantiated (for parameter errors). */
  readonly generator: string;
  readonly site: SourceLoc;
  /** The clock domain in scope (withClockDomain); absent: the module's implicit clock and reset. */
  domain?: IrDomain;
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

/** Where recording continues after a block: the enclosing block and condition depth. */
export interface SavedBlock {
  readonly block: IrStmt[];
  readonly depth: number;
}

/**
 * Records statements into `block`, with `conds` added to the condition path, until `closeBlock`.
 * Callers run the user's body between the two themselves (no wrapper frame per nesting level).
 */
export function openBlock(ctx: ModuleContext, block: IrStmt[], conds: readonly IrExpr[]): SavedBlock {
  const saved = { block: ctx.block, depth: ctx.conditions.length };
  ctx.block = block;
  for (const c of conds) ctx.conditions.push(c);
  return saved;
}

export function closeBlock(ctx: ModuleContext, saved: SavedBlock): void {
  ctx.block = saved.block;
  ctx.conditions.length = saved.depth;
}
