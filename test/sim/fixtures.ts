import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ElaboratedDesign, PortInfo } from "../../hdl/core/design";

const dir = fileURLToPath(new URL("../fixtures/verilog/", import.meta.url));

export function fixtureVerilog(file: string): string {
  return readFileSync(dir + file, "utf8");
}

function inp(name: string, width = 1, signed = false): PortInfo {
  return { name, direction: "input", width, signed };
}
function out(name: string, width = 1, signed = false): PortInfo {
  return { name, direction: "output", width, signed };
}

export const counter: ElaboratedDesign = {
  top: "counter",
  verilog: fixtureVerilog("counter.v"),
  ports: [inp("clock"), inp("reset"), inp("en"), inp("step", 8), out("count", 16), out("wrap")],
  clock: "clock",
  reset: "reset",
};

export const adder: ElaboratedDesign = {
  top: "adder",
  verilog: fixtureVerilog("adder.v"),
  ports: [
    inp("a", 12, true),
    inp("b", 12, true),
    inp("u", 8),
    out("sum", 13, true),
    out("diff", 12, true),
    out("prod", 24, true),
    out("usum", 9),
    out("lt"),
  ],
};

export const wide: ElaboratedDesign = {
  top: "wide",
  verilog: fixtureVerilog("wide.v"),
  ports: [inp("clock"), inp("reset"), inp("load"), inp("d", 100), inp("mask", 100), out("q", 100), out("qx", 100), out("low", 70, true)],
  clock: "clock",
  reset: "reset",
};

export const memory: ElaboratedDesign = {
  top: "memory",
  verilog: fixtureVerilog("memory.v"),
  ports: [
    inp("clock"),
    inp("we"),
    inp("waddr", 8),
    inp("wdata", 32),
    inp("raddr", 8),
    out("rdata", 32),
    inp("aaddr", 8),
    out("adata", 32),
  ],
  clock: "clock",
};
