/**
 * Many random designs in one simulator build: a top module holding one instance of each, its
 * ports forwarded as `d<i>_<port>`, sharing the clock and reset. One Icarus compile and one
 * Verilator build then check them all on the same cycles.
 */
import { Input, Output, Signal, defineModule, elaborate, type Elaboration } from "../../../hdl/core/index";
import { RandomModule } from "./generator";
import type { Recipe } from "./recipe";

type Assignable = Signal & { assign(v: Signal): void };

const Gang = defineModule("Gang", (p: { recipes: readonly Recipe[] }) => {
  const io: Record<string, Signal> = {};
  p.recipes.forEach((recipe, i) => {
    const inst = RandomModule.instance({ recipe, level: 0 }, { name: `d${i}` });
    for (const [name, port] of Object.entries(inst)) {
      if (name.startsWith("in")) {
        const x = Input(port.type, { name: `d${i}_${name}` }) as unknown as Signal;
        (port as Assignable).assign(x);
        io[`d${i}_${name}`] = x;
      } else {
        const y = Output(port.type, { name: `d${i}_${name}` }) as unknown as Assignable;
        y.assign(port);
        io[`d${i}_${name}`] = y;
      }
    }
  });
  return io;
});

export function gang(recipes: readonly Recipe[]): Elaboration {
  return elaborate(Gang, { recipes });
}

/** The design index a gang port belongs to. */
export function designOf(port: string): number {
  return Number(/^d(\d+)_/.exec(port)![1]);
}
