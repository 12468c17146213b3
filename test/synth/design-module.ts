// A design module as `synth/report.ts` accepts it: `export default` a
// zero-argument function returning an ElaboratedDesign.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ElaboratedDesign } from "../../hdl/core/design";

export default function counterDesign(): ElaboratedDesign {
  return {
    top: "counter",
    verilog: readFileSync(fileURLToPath(new URL("../fixtures/verilog/counter.v", import.meta.url)), "utf8"),
    ports: [
      { name: "clock", direction: "input", width: 1, signed: false },
      { name: "reset", direction: "input", width: 1, signed: false },
      { name: "en", direction: "input", width: 1, signed: false },
      { name: "step", direction: "input", width: 8, signed: false },
      { name: "count", direction: "output", width: 16, signed: false },
      { name: "wrap", direction: "output", width: 1, signed: false },
    ],
    clock: "clock",
    reset: "reset",
  };
}
