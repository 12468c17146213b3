/**
 * Counters. `Counter({ wrap, enable?, init?, name? })` counts 0..wrap-1 (then back to 0) on every
 * clock edge where `enable` is high (always when absent) and gives `{ value, wrap }`, `wrap`
 * being high in the cycle the count steps from wrap-1 back to 0 (enable and value = wrap-1).
 * `CounterChain(limits, { enable?, name? })` is nested loops: the first Counter is the innermost
 * and advances with `enable`, each next one advances when all before it wrap; `done` is high when
 * the whole chain wraps.
 * Timing: value is a register; wrap is combinational from it and enable. Cost: one adder and a
 * compare per Counter (log2 wrap bits).
 */
import { Bool, Reg, UInt, constant, log2Ceil, mux, requireArgument, when, type Signal, type Var } from "../core/index.js";

export interface CounterOptions {
  /** number of states: the count runs 0..wrap-1 */
  readonly wrap: number;
  readonly enable?: Signal;
  /** reset value, default 0 */
  readonly init?: number;
  readonly name?: string;
}

export interface Counter {
  readonly value: Var;
  /** the count steps from wrap-1 to 0 this cycle */
  readonly wrap: Signal;
}

export function Counter(opts: CounterOptions): Counter {
  const { wrap } = opts;
  requireArgument(Number.isInteger(wrap) && wrap >= 1, `Counter: wrap must be a positive integer, got ${wrap}`);
  const init = opts.init ?? 0;
  requireArgument(Number.isInteger(init) && init >= 0 && init < wrap, `Counter: init ${init} is outside 0..${wrap - 1}`);
  const value = Reg(UInt(log2Ceil(wrap)), { init, ...(opts.name ? { name: opts.name } : {}) });
  const enable = opts.enable ?? constant(1, Bool());
  const last = wrap === 1 ? constant(1, Bool()) : value.eq(wrap - 1);
  const wrapped = enable.and(last);
  // a power-of-two count wraps by itself; others return to 0 explicitly
  when(enable, () => value.assign(wrap === 1 ? 0 : 2 ** log2Ceil(wrap) === wrap ? value.addWrap(1) : mux(last, 0, value.addWrap(1))));
  return { value, wrap: wrapped };
}

export interface CounterChain {
  /** innermost first */
  readonly counters: readonly Counter[];
  /** every Counter wraps this cycle */
  readonly done: Signal;
}

export interface CounterChainOptions {
  readonly enable?: Signal;
  /** a name per Counter (innermost first), or a prefix for `prefix_0`, `prefix_1`, ... */
  readonly name?: string | readonly string[];
}

export function CounterChain(limits: readonly number[], opts: CounterChainOptions = {}): CounterChain {
  requireArgument(limits.length > 0, "CounterChain: no limits");
  requireArgument(!Array.isArray(opts.name) || opts.name.length === limits.length, `CounterChain: ${opts.name?.length} names for ${limits.length} counters`);
  const counters: Counter[] = [];
  let enable = opts.enable ?? constant(1, Bool());
  limits.forEach((wrap, k) => {
    const name = opts.name === undefined ? undefined : typeof opts.name === "string" ? `${opts.name}_${k}` : opts.name[k];
    const c = Counter({ wrap, enable, ...(name ? { name } : {}) });
    counters.push(c);
    enable = c.wrap;
  });
  return { counters, done: enable };
}
