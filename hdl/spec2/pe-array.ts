/**
 * The SPEC2 PE array (SPEC2.md section 4; interface in hdl/spec2/README.md): pOut x pIn PEs doing
 * the sparse complex MACs of one layer, bit-exact with the golden model's accumulation and
 * macToIfftInput (spectral/fixed/layer.ts steps 3-4).
 *
 *   x_valid, x_ready (out), x_last, x_col: Vec(K, ComplexT(fftBits))
 *       the spectrum of input channel i, columns v = 0..K/2 (x_last with v = K/2); channels
 *       i = 0..Cin-1 of a tile in order, then the next tile.
 *   y_valid, y_ready (in), y_last, y_col: Vec(K, ComplexT(ifftBits))
 *       accumulated output channel o after macToIfftInput, columns v = 0..K/2 (y_last with
 *       v = K/2), channels o = 0..Cout-1 per tile.
 *   macs: PEs doing a useful complex MAC this cycle.
 *
 * Organisation
 *   PE (po, pi) handles output channels o = po (mod pOut) and input channels i = pi (mod pIn).
 *   Input channels of a tile come in rounds of pIn (round r = channels r*pIn .. r*pIn+pIn-1):
 *   channel i is written, column by column, into X bank (round parity) of the pOut PEs of group
 *   pi = i mod pIn (a broadcast: same address, every PE keeps its own copy). Two X banks: round
 *   r+1 loads while round r computes. x_ready is low while the bank to load is still full.
 *   All PEs run in lock step on one ROM address (schedule.ts): a round starts when its bank is
 *   full; a tile's first round also needs its accumulator bank (tile parity) drained. The
 *   round's last ROM read releases its X bank (one cycle later, when the last X read has been
 *   issued); the tile's last MAC (3 cycles after its issue) hands its accumulator bank to the
 *   drain.
 *   Drain, for o = 0..Cout-1, v = 0..K/2: read column v of (oLocal = o div pOut) in the pIn PEs
 *   of group po = o mod pOut, sum the pIn partial accumulators (exact), macToIfftInput
 *   (roundShift + saturate, or an exact left shift + saturate), into the output register;
 *   the read words are cleared in the same cycle, ready for the tile after next. One column
 *   per cycle while y_ready is high. The drain is a two-stage pipeline (read + group sum into a
 *   sum register, macToIfftInput into the output register) that moves as a whole whenever the
 *   output register is empty or being read, so the long path (LUT-RAM read, pOut-way select,
 *   pIn-way adder tree, rounding adder, saturation) is split in two.
 *   After reset, a sweep clears all accumulators (oLoc * 2^vBits cycles, x_ready low).
 *
 * Cycles per tile (steady state, x always valid, y always ready):
 *   MAC phase    D = sum over rounds of the longest PE list = ceil(Cin/pIn) * ceil(Cout/pOut) * n
 *                (n entries per kernel), overlapped with
 *   input        Cin * (K/2+1) columns (pIn*(K/2+1) per round must not exceed the round's
 *                oLoc * n MAC cycles, else the MACs wait for input), and
 *   drain        Cout * (K/2+1) output columns (the accumulators of tile t drain while tile t+1
 *                accumulates into the other bank),
 *   so a tile takes max(D, Cin*(K/2+1), Cout*(K/2+1)) cycles, except that tile t+2 may only
 *   accumulate into tile t's bank after that bank's drain, which starts 4 cycles after tile t's
 *   last issue: two tiles take at least D + 3 + Cout*(K/2+1) cycles, so the average is
 *   max(D, Cin*(K/2+1), Cout*(K/2+1), (D + Cout*(K/2+1) + 3)/2) (schedule.ts cyclesPerTile;
 *   with D = Cout*(K/2+1) successive tiles alternate, e.g. 80/83 cycles). The first output column
 *   of a tile leaves 6 cycles after the issue of the tile's last MAC (S1..S3, accumulator bank
 *   handed over, read, sum register, output register).
 *
 * Widths: the accumulators are exact with accBits = fftBits + weightBits + 1 + floor(log2 M)
 * (M = most stored entries of one output channel hitting one spectral position over all input
 * channels; schedule.ts accumulatorBits), e.g. 33 + 2 = 35 bits for 6 input channels with
 * distinct indices per kernel, instead of the golden model's 48: the per-PE partial sums and
 * the group sum are sums of subsets of the same terms, so none of them can overflow.
 *
 * Cost (Yosys synth_xilinx, xc7), LeNet conv2 shape (Cin 6, Cout 16, K 8, n 10), pOut 4 x pIn 2:
 * 12841 LUT + 1624 RAM32M (6496 LUTs of LUT RAM), 3407 FF, 32 DSP48E1, no block RAM (8 PEs of
 * about 1400 LUT + 800 LUT-RAM LUTs, 4 DSP each; kernel ROMs, control and drain the rest).
 *
 * Parameters: pass peArrayParams(layer, pOut, pIn) rather than a plain { layer, pOut, pIn }
 * when the Verilog goes to Icarus: hdl/core prints a module's whole parameter JSON on one
 * comment line, and Icarus rejects lines over 16 KB (a LeNet conv2 layer is about 30 KB).
 */
import { Bool, Input, Output, Reg, RegNext, Rom, UInt, Vec, constant, defineModule, isMain, log2Ceil, mux, printVerilog, when, type Signal } from "../core";
import { macShift, type FixedLayer } from "../../spectral/fixed/layer";
import { ComplexT, roundShift, saturate } from "./fixed";
import { KernelRom } from "./kernel-rom";
import { Pe, accAddress, accGeometry, selectTree } from "./pe";
import { buildSchedule, withDigest } from "./schedule";

export interface PeArrayParams {
  readonly layer: FixedLayer;
  readonly pOut: number;
  readonly pIn: number;
}

/** Hardware macToIfftInput: roundShift (shift > 0) or exact left shift (shift < 0), then saturate. */
export function macToIfftInputHw(acc: Signal, shift: number, ifftBits: number): Signal {
  const v = shift > 0 ? roundShift(acc, shift) : shift < 0 ? acc.shl(-shift) : acc;
  return saturate(v, ifftBits);
}

function sumAll(values: readonly Signal[]): Signal {
  let level = values;
  while (level.length > 1) {
    const next: Signal[] = [];
    for (let j = 0; j + 1 < level.length; j += 2) next.push(level[j]!.add(level[j + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

export const PeArray = defineModule("PeArray", (p: PeArrayParams) => {
  const s = buildSchedule(p.layer, p.pOut, p.pIn);
  const f = p.layer.formats;
  const { K, half, vBits, oBits, accBits, xBits, weightBits, indexBits, pOut, pIn, cin, cout, oLoc } = s;
  const ifftBits = f.ifftBits;
  const shift = macShift(K, f);
  const accG = accGeometry(K, oLoc);

  const x_valid = Input(Bool());
  const x_ready = Output(Bool());
  const x_last = Input(Bool());
  const x_col = Input(Vec(K, ComplexT(xBits)));
  const y_valid = Output(Bool());
  const y_ready = Input(Bool());
  const y_last = Output(Bool());
  const y_col = Output(Vec(K, ComplexT(ifftBits)));
  const macs = Output(UInt(log2Ceil(s.P + 1)));

  // ---- reset sweep of the accumulators ----
  const sweeping = Reg(Bool(), { init: 1 });
  const swAddr = Reg(UInt(accG.addrBits), { init: 0 });
  when(sweeping, () => {
    swAddr.assign(swAddr.addWrap(1));
    when(swAddr.eq(accG.depth - 1), () => sweeping.assign(0));
  });

  // ---- bank flags ----
  const xFull = [Reg(Bool(), { init: 0, name: "xFull0" }), Reg(Bool(), { init: 0, name: "xFull1" })];
  const accFull = [Reg(Bool(), { init: 0, name: "accFull0" }), Reg(Bool(), { init: 0, name: "accFull1" })];
  const pick = (flags: readonly Signal[], bank: Signal): Signal => mux(bank, flags[1]!, flags[0]!);

  // ---- loader: input channel columns into the X banks ----
  const lb = Reg(Bool(), { init: 0 });
  const lPi = Reg(UInt(log2Ceil(pIn)), { init: 0 });
  const lV = Reg(UInt(vBits), { init: 0 });
  const lCh = Reg(UInt(log2Ceil(cin)), { init: 0 });
  const canLoad = sweeping.not().and(pick(xFull, lb).not());
  x_ready.assign(canLoad);
  const take = x_valid.and(canLoad);
  const lastChannel = lCh.eq(cin - 1);
  const roundEnd = lPi.eq(pIn - 1).or(lastChannel);
  when(take, () => {
    when(x_last, () => {
      lV.assign(0);
      lCh.assign(mux(lastChannel, constant(0, UInt(lCh.width)), lCh.addWrap(1)));
      when(roundEnd, () => {
        lPi.assign(0);
        lb.assign(lb.not());
        xFull.forEach((full, b) => when(lb.eq(b), () => full.assign(1)));
      }).otherwise(() => lPi.assign(lPi.addWrap(1)));
    }).otherwise(() => lV.assign(lV.addWrap(1)));
  });

  // ---- MAC issue: one ROM address per cycle for all PEs ----
  const romDepth = Math.max(2, s.depth);
  const ra = Reg(UInt(log2Ceil(romDepth)), { init: 0 });
  const mb = Reg(Bool(), { init: 0 });
  const ab = Reg(Bool(), { init: 0 });
  const ctlWords = s.ctl.map((c) => (c.roundLast ? 1 : 0) | (c.tileLast ? 2 : 0));
  while (ctlWords.length < romDepth) ctlWords.push(0);
  const ctl = Rom(UInt(2), ctlWords).readAsync(ra);
  const roundLast = ctl.bit(0);
  const tileLast = ctl.bit(1);
  const issue = sweeping.not().and(pick(xFull, mb)).and(ra.neq(0).or(pick(accFull, ab).not()));
  when(issue, () => {
    when(roundLast, () => mb.assign(mb.not()));
    when(tileLast, () => {
      ra.assign(0);
      ab.assign(ab.not());
    }).otherwise(() => ra.assign(ra.addWrap(1)));
  });
  const s1Valid = RegNext(issue, { init: 0 });
  const s1XBank = RegNext(mb, { init: 0 });
  const s1AccBank = RegNext(ab, { init: 0 });
  const s1RoundLast = RegNext(issue.and(roundLast), { init: 0 });
  const s1TileLast = RegNext(issue.and(tileLast), { init: 0 });
  // the round's last X read is issued in S1: its bank may be reloaded from the next edge on
  xFull.forEach((full, b) => when(s1RoundLast.and(s1XBank.eq(b)), () => full.assign(0)));
  const s2TileLast = RegNext(s1TileLast, { init: 0 });
  const s2AccBank = RegNext(s1AccBank, { init: 0 });
  const s3TileLast = RegNext(s2TileLast, { init: 0 });
  const s3AccBank = RegNext(s2AccBank, { init: 0 });

  // ---- drain ----
  const dBank = Reg(Bool(), { init: 0 });
  const dO = Reg(UInt(log2Ceil(cout)), { init: 0 });
  const dPo = Reg(UInt(log2Ceil(pOut)), { init: 0 });
  const dOl = Reg(UInt(oBits), { init: 0 });
  const dV = Reg(UInt(vBits), { init: 0 });
  // two-stage drain pipeline that moves as a whole while the output register can take a word:
  // read (and clear) + group sum -> sum register -> macToIfftInput -> output register
  const sumValid = Reg(Bool(), { init: 0 });
  const sumLast = Reg(Bool(), { init: 0 });
  const sumCol = Reg(Vec(K, ComplexT(accBits)), { init: 0 });
  const yValid = Reg(Bool(), { init: 0 });
  const yLast = Reg(Bool(), { init: 0 });
  const yCol = Reg(Vec(K, ComplexT(ifftBits)), { init: 0 });
  const move = yValid.not().or(y_ready);
  const advance = pick(accFull, dBank).and(move);
  const drAddr = accAddress(dOl, dV, oLoc, accG.addrBits);

  // ---- the PEs ----
  const pes = Array.from({ length: pOut }, (_, po) =>
    Array.from({ length: pIn }, (_, pi) => {
      const words = s.rom[po]![pi]!.map(({ useful, oLocal, index, re, im }) => ({ useful, oLocal, index, re, im }));
      const rom = KernelRom.instance({ oBits, indexBits, weightBits, words: withDigest(words, { depth: words.length }) }, { name: `rom_${po}_${pi}` });
      rom.addr.assign(ra);
      rom.en.assign(issue);
      const pe = Pe.instance({ K, xBits, weightBits, accBits, oLoc }, { name: `pe_${po}_${pi}` });
      pe.issued.assign(s1Valid);
      pe.xBank.assign(s1XBank);
      pe.accBank.assign(s1AccBank);
      pe.entry.useful.assign(rom.useful);
      pe.entry.oLocal.assign(rom.oLocal);
      pe.entry.index.assign(rom.index);
      pe.entry.re.assign(rom.re);
      pe.entry.im.assign(rom.im);
      pe.ld.en.assign(take.and(lPi.eq(pi)));
      pe.ld.bank.assign(lb);
      pe.ld.v.assign(lV);
      for (let u = 0; u < K; u++) {
        pe.ld.col.at(u).re.assign(x_col.at(u).re);
        pe.ld.col.at(u).im.assign(x_col.at(u).im);
      }
      pe.dr.en.assign(advance.and(dPo.eq(po)));
      pe.dr.bank.assign(dBank);
      pe.dr.addr.assign(drAddr);
      pe.sw.en.assign(sweeping);
      pe.sw.addr.assign(swAddr);
      return pe;
    }),
  );
  macs.assign(sumAll(pes.flat().map((pe) => pe.mac.zext(macs.width))).resize(macs.width));

  // column v of output channel o: sum over the pIn PEs of group dPo (exact), then macToIfftInput
  const groupSum = (u: number, k: "re" | "im"): Signal =>
    sumAll(Array.from({ length: pIn }, (_, pi) => selectTree(pes.map((row) => row[pi]!.dr_col.at(u)[k]), dPo))).resize(accBits);
  when(move, () => {
    sumValid.assign(advance);
    yValid.assign(sumValid);
  });
  // data registers load only with a valid word (the PEs' read ports follow other addresses
  // in other cycles, e.g. the reset sweep's)
  when(advance, () => {
    sumLast.assign(dV.eq(half - 1));
    for (let u = 0; u < K; u++) {
      sumCol.at(u).re.assign(groupSum(u, "re"));
      sumCol.at(u).im.assign(groupSum(u, "im"));
    }
  });
  when(move.and(sumValid), () => {
    yLast.assign(sumLast);
    for (let u = 0; u < K; u++) {
      yCol.at(u).re.assign(macToIfftInputHw(sumCol.at(u).re, shift, ifftBits));
      yCol.at(u).im.assign(macToIfftInputHw(sumCol.at(u).im, shift, ifftBits));
    }
  });
  when(advance, () => {
    when(dV.eq(half - 1), () => {
      dV.assign(0);
      when(dO.eq(cout - 1), () => {
        dO.assign(0);
        dPo.assign(0);
        dOl.assign(0);
        dBank.assign(dBank.not());
        accFull.forEach((full, b) => when(dBank.eq(b), () => full.assign(0)));
      }).otherwise(() => {
        dO.assign(dO.addWrap(1));
        when(dPo.eq(pOut - 1), () => {
          dPo.assign(0);
          dOl.assign(dOl.addWrap(1));
        }).otherwise(() => dPo.assign(dPo.addWrap(1)));
      });
    }).otherwise(() => dV.assign(dV.addWrap(1)));
  });
  // the tile's last MAC is written at the end of this cycle: its bank drains from the next one
  accFull.forEach((full, b) => when(s3TileLast.and(s3AccBank.eq(b)), () => full.assign(1)));

  y_valid.assign(yValid);
  y_last.assign(yLast);
  for (let u = 0; u < K; u++) {
    y_col.at(u).re.assign(yCol.at(u).re);
    y_col.at(u).im.assign(yCol.at(u).im);
  }
  return { x_valid, x_ready, x_last, x_col, y_valid, y_ready, y_last, y_col, macs };
});

/**
 * Parameters for PeArray whose module key / header comment is short (the layer's shape, formats
 * and a digest of its kernels instead of every entry): use this for real layers (see withDigest).
 */
export function peArrayParams(layer: FixedLayer, pOut: number, pIn: number): PeArrayParams {
  const { cin, cout, K, formats } = layer;
  return { layer: withDigest(layer, { cin, cout, K, formats }), pOut, pIn };
}

/** A small random-free demo layer for `npx tsx hdl/spec2/pe-array.ts`: LeNet conv2 shape, n = 10. */
function demoLayer(): FixedLayer {
  const K = 8;
  const kernels = Array.from({ length: 16 * 6 }, (_, q) => Array.from({ length: 10 }, (_, j) => ({ index: (q * 7 + j * 4) % 40, re: ((q * 131 + j * 17) % 2001) - 1000, im: ((q * 71 + j * 29) % 2001) - 1000 })));
  return {
    cin: 6, cout: 16, h: 12, w: 12, k: 5, p: 0, K, relu: false,
    formats: { actBits: 16, inFrac: 12, outFrac: 10, weightBits: 16, weightFrac: 14, twiddleFrac: 14, fftBits: 16, ifftBits: 22, accBits: 48 },
    kernels,
    bias: new Array<number>(16).fill(0),
  };
}

if (isMain(import.meta.url)) printVerilog(PeArray, peArrayParams(demoLayer(), 4, 2));
