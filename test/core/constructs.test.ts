/**
 * Every construct of the language, elaborated, passed through the three
 * Verilog tools, and simulated in Icarus Verilog against a TypeScript model.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  Bool, Bundle, Decoupled, Enum, Input, Mem, Output, Reg, Rom, SInt, UInt, Vec, Wire, WireDefault, constant, defineBlackbox, defineModule,
  elaborate, enumValue, implicitClock, mux, switchOn, when,
} from "../../hdl/core";
import { simulate } from "../../sim";
import { runCombinational } from "../helpers/comb-bench";
import { rng } from "../helpers/rng";
import { expectCleanVerilog } from "../helpers/verilog-tools";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "constructs-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("bundles and directions", () => {
  const Passthrough = defineModule("Passthrough", () => {
    const inp = Input(Decoupled(Bundle({ re: SInt(8), im: SInt(8) })));
    const out = Output(Decoupled(Bundle({ re: SInt(8), im: SInt(8) })));
    out.valid.assign(inp.valid);
    out.bits.re.assign(inp.bits.re);
    out.bits.im.assign(inp.bits.im);
    inp.ready.assign(out.ready);
    return { inp, out };
  });

  it("flattens fields with Flipped reversing the direction", async () => {
    const d = elaborate(Passthrough);
    expect(d.ports.map((p) => `${p.direction} ${p.name} ${p.signed ? "s" : "u"}${p.width}`)).toEqual([
      "input inp_valid u1", "output inp_ready u1", "input inp_bits_re s8", "input inp_bits_im s8",
      "output out_valid u1", "input out_ready u1", "output out_bits_re s8", "output out_bits_im s8",
    ]);
    await expectCleanVerilog(d.verilog, d.top);
    const [r] = runCombinational(d, [{ inp_valid: 1n, inp_bits_re: 0xf0n, inp_bits_im: 5n, out_ready: 0n }]);
    expect(r).toEqual({ inp_ready: 0n, out_valid: 1n, out_bits_re: 0xf0n, out_bits_im: 5n });
  });
});

describe("when / elsewhen / otherwise and switchOn", () => {
  const Priority = defineModule("Priority", () => {
    const a = Input(Bool());
    const b = Input(Bool());
    const sel = Input(UInt(2));
    const y = Output(UInt(4));
    const z = Output(UInt(4));
    y.assign(0);
    when(a, () => y.assign(1)).elsewhen(b, () => y.assign(2)).otherwise(() => y.assign(3));
    when(a.and(b), () => y.assign(7)); // the last connection wins
    switchOn(sel).is(0, () => z.assign(10)).is([1, 2], () => z.assign(11)).default(() => z.assign(12));
    return { a, b, sel, y, z };
  });

  it("follows last-connect semantics", async () => {
    const d = elaborate(Priority);
    await expectCleanVerilog(d.verilog, d.top);
    const vectors = [];
    for (let a = 0n; a < 2n; a++) for (let b = 0n; b < 2n; b++) for (let sel = 0n; sel < 4n; sel++) vectors.push({ a, b, sel });
    const got = runCombinational(d, vectors);
    vectors.forEach((v, i) => {
      const y = v.a && v.b ? 7n : v.a ? 1n : v.b ? 2n : 3n;
      const z = v.sel === 0n ? 10n : v.sel <= 2n ? 11n : 12n;
      expect(got[i]).toEqual({ y, z });
    });
  });
});

describe("registers: init, synchronous reset, enable; enums and a state machine", () => {
  const State = Enum("State", ["Idle", "Count", "Done"]);
  const Fsm = defineModule("Fsm", () => {
    const start = Input(Bool());
    const hold = Input(Bool());
    const done = Output(Bool());
    const count = Output(UInt(4));
    const state = Reg(State.type, { init: State.code("Idle") });
    const counter = Reg(UInt(4), { init: 0, enable: hold.not() });
    done.assign(state.eq(enumValue(State, "Done")));
    switchOn(state)
      .is(enumValue(State, "Idle"), () => when(start, () => state.assign(enumValue(State, "Count"))))
      .is(enumValue(State, "Count"), () => {
        counter.assign(counter.addWrap(1));
        when(counter.eq(5), () => state.assign(enumValue(State, "Done")));
      })
      .default(() => state.assign(enumValue(State, "Idle")));
    count.assign(counter);
    return { start, hold, done, count };
  });

  it("matches a TypeScript model cycle by cycle", async () => {
    const d = elaborate(Fsm);
    expect(d.verilog).toContain("// test/core/constructs.test.ts");
    expect(d.verilog).toMatch(/reg \[1:0\] state; \/\/ .*\(Idle=0, Count=1, Done=2\)/);
    await expectCleanVerilog(d.verilog, d.top);
    const sim = await simulate(d);
    try {
      const r = rng(7);
      let state = 0;
      let counter = 0;
      sim.poke("start", 0);
      sim.poke("hold", 0);
      await sim.reset(2);
      for (let cycle = 0; cycle < 200; cycle++) {
        const start = r() < 0.3 ? 1 : 0;
        const hold = r() < 0.2 ? 1 : 0;
        sim.poke("start", start);
        sim.poke("hold", hold);
        expect(await sim.peek("done")).toBe(state === 2 ? 1 : 0);
        expect(await sim.peek("count")).toBe(counter);
        await sim.step();
        const next = state === 0 ? (start ? 1 : 0) : state === 1 ? (counter === 5 ? 2 : 1) : 0;
        if (state === 1 && !hold) counter = (counter + 1) & 15;
        state = next;
      }
    } finally {
      await sim.close();
    }
  });
});

describe("vectors: constant and dynamic indexing", () => {
  const RegFile = defineModule("RegFile", () => {
    const waddr = Input(UInt(2));
    const wdata = Input(UInt(8));
    const we = Input(Bool());
    const raddr = Input(UInt(2));
    const rdata = Output(UInt(8));
    const first = Output(UInt(8));
    const regs = Reg(Vec(4, UInt(8)), { init: 0 });
    when(we, () => regs.at(waddr).assign(wdata));
    rdata.assign(regs.at(raddr));
    first.assign(regs.at(0));
    return { waddr, wdata, we, raddr, rdata, first };
  });

  it("writes and reads through a signal index", async () => {
    const d = elaborate(RegFile);
    expect(d.verilog).toContain("reg [7:0] regs_3;");
    await expectCleanVerilog(d.verilog, d.top);
    const sim = await simulate(d);
    try {
      const model = [0, 0, 0, 0];
      const r = rng(3);
      await sim.reset();
      for (let i = 0; i < 100; i++) {
        const w = { we: r() < 0.6 ? 1 : 0, waddr: Math.floor(r() * 4), wdata: Math.floor(r() * 256), raddr: Math.floor(r() * 4) };
        for (const [k, v] of Object.entries(w)) sim.poke(k, v);
        expect(await sim.peek("rdata")).toBe(model[w.raddr]);
        expect(await sim.peek("first")).toBe(model[0]);
        await sim.step();
        if (w.we) model[w.waddr] = w.wdata;
      }
    } finally {
      await sim.close();
    }
  });
});

describe("memories and ROMs", () => {
  const hexFile = path.join(tmp, "init.hex");
  fs.writeFileSync(hexFile, Array.from({ length: 16 }, (_, i) => ((i * 37) & 0xff).toString(16)).join("\n") + "\n");

  const Memories = defineModule("Memories", (p: { initFile: string }) => {
    const addr = Input(UInt(4));
    const wdata = Input(SInt(8));
    const we = Input(Bool());
    const syncOut = Output(SInt(8));
    const asyncOut = Output(SInt(8));
    const romOut = Output(UInt(8));
    const fileOut = Output(UInt(8));
    const ram = Mem(16, SInt(8));
    when(we, () => ram.write(addr, wdata));
    syncOut.assign(ram.readSync(addr));
    asyncOut.assign(ram.readAsync(addr));
    const squares = Rom(UInt(8), Array.from({ length: 16 }, (_, i) => i * i));
    romOut.assign(squares.readAsync(addr));
    const fromFile = Mem(16, UInt(8), { initFile: p.initFile });
    fileOut.assign(fromFile.readSync(addr));
    return { addr, wdata, we, syncOut, asyncOut, romOut, fileOut };
  });

  it("reads synchronously and asynchronously, with initial contents from an array and a file", async () => {
    const d = elaborate(Memories, { initFile: hexFile });
    expect(d.verilog).toContain(`$readmemh(${JSON.stringify(hexFile)}, fromFile);`);
    expect(d.verilog).toContain("squares[15] = 8'd225;");
    await expectCleanVerilog(d.verilog, d.top);
    const sim = await simulate(d);
    try {
      const ram = new Array<number>(16).fill(0);
      const r = rng(11);
      sim.poke("we", 1);
      for (let a = 0; a < 16; a++) {
        sim.poke("addr", a);
        sim.poke("wdata", 0);
        await sim.step();
      }
      let prevAddr = 15; // the last address of the clearing loop
      for (let i = 0; i < 120; i++) {
        const a = Math.floor(r() * 16);
        const we = r() < 0.5 ? 1 : 0;
        const wdata = Math.floor(r() * 256) - 128;
        sim.poke("addr", a);
        sim.poke("we", we);
        sim.poke("wdata", wdata);
        expect(await sim.peek("asyncOut")).toBe(ram[a]);
        expect(await sim.peek("romOut")).toBe(a * a);
        expect(await sim.peek("fileOut")).toBe((prevAddr * 37) & 0xff);
        const before = ram[a];
        await sim.step();
        // The synchronous port shows the word as it was at the edge (read before write).
        expect(await sim.peek("syncOut")).toBe(before);
        if (we) ram[a] = wdata;
        prevAddr = a;
      }
    } finally {
      await sim.close();
    }
  });
});

describe("module hierarchy and generator parameters", () => {
  const Scale = defineModule("Scale", (p: { factor: number; width: number }) => {
    const x = Input(UInt(p.width));
    const y = Output(UInt(p.width + 4));
    y.assign(x.mul(p.factor).resize(p.width + 4));
    return { x, y };
  });
  const Top = defineModule("Top", () => {
    const x = Input(UInt(8));
    const triple = Output(UInt(12));
    const five = Output(UInt(12));
    const alsoTriple = Output(UInt(12));
    const s3 = Scale.instance({ factor: 3, width: 8 });
    const s5 = Scale.instance({ factor: 5, width: 8 });
    const again = Scale.instance({ factor: 3, width: 8 }, { name: "second3" });
    for (const s of [s3, s5, again]) s.x.assign(x);
    triple.assign(s3.y);
    five.assign(s5.y);
    alsoTriple.assign(again.y);
    return { x, triple, five, alsoTriple };
  });

  it("elaborates each parameter set once, with deterministic names", async () => {
    const d = elaborate(Top);
    const modules = [...d.verilog.matchAll(/^module (\w+)/gm)].map((m) => m[1]);
    expect(modules).toEqual(["Scale_factor3_width8", "Scale_factor5_width8", "Top"]);
    expect(d.verilog).toContain("Scale_factor3_width8 s3 (");
    expect(d.verilog).toContain("Scale_factor3_width8 second3 (");
    expect(elaborate(Top).verilog).toBe(d.verilog);
    await expectCleanVerilog(d.verilog, d.top);
    const xs = [0n, 1n, 77n, 255n];
    const got = runCombinational(d, xs.map((x) => ({ x })));
    xs.forEach((x, i) => expect(got[i]).toEqual({ triple: 3n * x, five: 5n * x, alsoTriple: 3n * x }));
  });
});

describe("blackboxes", () => {
  const Delay = defineBlackbox(
    "DelayLine",
    () => ({ clk: Input(Bool()), d: Input(UInt(8)), q: Output(UInt(8)) }),
    {
      parameters: () => ({ STAGES: 2 }),
      verilog: [
        "module DelayLine #(parameter STAGES = 1) (input wire clk, input wire [7:0] d, output wire [7:0] q);",
        "  reg [7:0] r [0:STAGES-1];",
        "  integer i;",
        "  always @(posedge clk) begin",
        "    r[0] <= d;",
        "    for (i = 1; i < STAGES; i = i + 1) r[i] <= r[i-1];",
        "  end",
        "  assign q = r[STAGES-1];",
        "endmodule",
      ].join("\n"),
    },
  );
  const UsesDelay = defineModule("UsesDelay", () => {
    const d = Input(UInt(8));
    const q = Output(UInt(8));
    const line = Delay.instance();
    line.clk.assign(implicitClock());
    line.d.assign(d);
    q.assign(line.q);
    return { d, q };
  });

  it("instantiates existing Verilog with parameters", async () => {
    const v = elaborate(UsesDelay);
    expect(v.verilog).toContain("DelayLine #(.STAGES(2)) line (");
    expect(v.clock).toBe("clock");
    const sim = await simulate(v);
    try {
      const seq = [5, 9, 200, 17, 3, 44];
      const out: number[] = [];
      for (const [i, x] of seq.entries()) {
        sim.poke("d", x);
        await sim.step();
        if (i >= 1) out.push(await sim.peek("q"));
      }
      // Two register stages: after the edge that loads seq[i], q shows seq[i - 1].
      expect(out).toEqual(seq.slice(0, -1));
    } finally {
      await sim.close();
    }
  });
});

describe("wide literals", () => {
  const Wide = defineModule("Wide", () => {
    const a = Input(UInt(100));
    const y = Output(UInt(101));
    const k = Output(UInt(100));
    y.assign(a.add(constant(0xfedcba9876543210fedcba987n, UInt(100))));
    k.assign(constant((1n << 99n) + 12345n, UInt(100)));
    return { a, y, k };
  });

  it("handles constants beyond 53 bits exactly", async () => {
    const d = elaborate(Wide);
    await expectCleanVerilog(d.verilog, d.top);
    const a = (1n << 98n) + 777n;
    const [r] = runCombinational(d, [{ a }]);
    expect(r).toEqual({ y: a + 0xfedcba9876543210fedcba987n, k: (1n << 99n) + 12345n });
  });
});

describe("WireDefault and mux", () => {
  const Clamp = defineModule("Clamp", () => {
    const x = Input(SInt(10));
    const y = Output(SInt(8));
    const limited = WireDefault(x.trunc(8));
    when(x.gt(127), () => limited.assign(127)).elsewhen(x.lt(-128), () => limited.assign(-128));
    y.assign(mux(Wire(Bool(), { name: "never" }).not(), limited, limited));
    return { x, y };
  });

  it("is rejected while a wire is left undriven", () => {
    expect(() => elaborate(Clamp)).toThrow(/wire never of module Clamp is never driven/);
  });
});
