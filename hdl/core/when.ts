/**
 * Conditional connection: when / elsewhen / otherwise, and switchOn / is /
 * default. Later connections win (last-connect semantics); a signal driven
 * only under some conditions must have an earlier default or it is an error.
 */
import { closeBlock, currentContext, openBlock, type ModuleContext, type SavedBlock } from "./context.js";
import { HdlError } from "./errors.js";
import type { IrExpr, IrWhen } from "./ir.js";
import { Signal, toSignal, type Operand } from "./signal.js";
import { userLocation } from "./source.js";
import { typeName } from "./types.js";

function condition(c: Operand, what: string): Signal {
  const s = toSignal(c);
  if (s.width !== 1) throw new HdlError(userLocation(), `${what} condition must be 1 bit wide, got ${typeName(s.type)}`);
  return s;
}

export class WhenChain {
  /** @internal use when(). */
  constructor(
    /** @internal */
    readonly ctx: ModuleContext,
    private last: IrWhen,
    /** Negations of the conditions so far, for the condition path of later branches. */
    private readonly negated: IrExpr[],
  ) {}

  elsewhen(cond: Operand, body: () => void): WhenChain {
    const c = condition(cond, "elsewhen");
    const node: IrWhen = { k: "when", cond: c.expr, then: [], otherwise: [], loc: userLocation() };
    this.last.otherwise.push(node);
    const saved = openBlock(this.ctx, node.then, [...this.negated, c.expr]);
    body();
    closeBlock(this.ctx, saved);
    this.last = node;
    this.negated.push(c.not().expr);
    return this;
  }

  otherwise(body: () => void): void {
    const saved = openBlock(this.ctx, this.last.otherwise, this.negated);
    body();
    closeBlock(this.ctx, saved);
  }
}

/** Connections made in `body` take effect only while `cond` is high. */
export function when(cond: Operand, body: () => void): WhenChain {
  // The body runs in this small frame: a `when` nesting level costs the call stack one frame.
  // (No finally: an error inside aborts the whole module, whose context is then dropped.)
  const open = openWhen(cond);
  body();
  closeBlock(open.chain.ctx, open.saved);
  return open.chain;
}

function openWhen(cond: Operand): { chain: WhenChain; saved: SavedBlock } {
  const ctx = currentContext("when()");
  const c = condition(cond, "when");
  const node: IrWhen = { k: "when", cond: c.expr, then: [], otherwise: [], loc: userLocation() };
  ctx.block.push(node);
  const chain = new WhenChain(ctx, node, [c.not().expr]);
  return { chain, saved: openBlock(ctx, node.then, [c.expr]) };
}

export class SwitchChain {
  private chain: WhenChain | undefined;
  constructor(private readonly selector: Signal) {}

  /** Runs `body` when the selector equals `value` (or any of `values`). */
  is(value: Operand | readonly Operand[], body: () => void): this {
    const values = Array.isArray(value) ? (value as readonly Operand[]) : [value as Operand];
    if (values.length === 0) throw new HdlError(userLocation(), "is() needs at least one value");
    const cond = values.map((v) => this.selector.eq(v)).reduce((a, b) => a.or(b));
    this.chain = this.chain ? this.chain.elsewhen(cond, body) : when(cond, body);
    return this;
  }

  /** Runs `body` when no `is` matched. */
  default(body: () => void): void {
    if (!this.chain) throw new HdlError(userLocation(), "default() needs at least one is() before it");
    this.chain.otherwise(body);
  }
}

/** A multi-way branch on `selector`: `switchOn(s).is(0, ...).is([1, 2], ...).default(...)`. */
export function switchOn(selector: Signal): SwitchChain {
  currentContext("switchOn()");
  return new SwitchChain(selector);
}
