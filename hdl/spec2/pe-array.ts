/**
 * The SPEC2 PE array (SPEC2.md section 4; interface in hdl/spec2/README.md): pOut x pIn PEs doing
 * the sparse complex MACs of one layer, bit-exact with the golden model's accumulation and
 * macToIfftInput (spectral/fixed/layer.ts steps 3-4).
 *
 *   x[l] (l < fftLanes): Decoupled {last, col: Vec(K, ComplexT(fftBits))}
 *       the spectra of input channels i = l (mod fftLanes) of each tile, ascending, each as
 *       columns v = 0..K/2 (`last` with v = K/2) (pe-array-load.ts).
 *   y[j] (j < ifftLanes): Decoupled {last, col: Vec(K, ComplexT(ifftBits))}
 *       the accumulated spectra of output channels o = j (mod ifftLanes) of each tile,
 *       ascending, after macToIfftInput, columns v = 0..K/2 (pe-array-drain.ts).
 *   macs: PEs completing a useful complex MAC this cycle.
 *   hazard (checkHazards only): latches if any PE ever read an accumulator word with a write
 *       to it still in flight (the schedule's read-modify-write distance was violated).
 *
 * Organisation
 *   PE (po, pi) handles output channels o = po (mod pOut) and input channels i = pi (mod pIn).
 *   A tile's input channels come in rounds of pIn; channel i = r*pIn + pi is written into X
 *   bank (global round parity) of the pOut PEs of group pi. All PEs run in lock step on one
 *   kernel-ROM address (schedule.ts): a round starts when every group has its channel in the
 *   round's bank; a tile's first round also needs its accumulator bank (tile parity) drained.
 *   The round's last ROM read releases its X bank in S1 (the last X read is issued then); the
 *   tile's last MAC (written in S4) hands its accumulator bank to the drain, which reads it
 *   while the next tile accumulates into the other bank.
 *
 * Weights (`weights`): "rom" compiles the layer's schedule into a kernel ROM per PE. Streamed
 * ({ maxDepth }): an extra input `weights` (Decoupled rows, weight-row.ts: per schedule address
 * tileLast, roundLast, the round's groups and the word of PE k = po*pIn + pi; `last` and `tiles`
 * on a bank's final row) fills a WeightBuffer (weight-buffer.ts) of two banks. Protocol: the
 * array issues from one bank while the other is written; a bank is computable one clock after its
 * last row, serves `tiles` tiles (its addresses from 0 to tileLast, `tiles` times) and is
 * released by the last issue of its last tile, and the next bank, if loaded, follows without an
 * idle clock. The rounds and the groups of each round come with the rows; the PEs mask the drain
 * by the words they wrote (pe.ts trackKeep) instead of keep ROMs, so the issue waits for their
 * clearing sweep after reset.
 *
 * Run-time channel counts (streamed weights only): a bank's last row also carries the layer's
 * `cin` and `cout` (pe-array-channels.ts: checked by assertions against the compile-time maxCin,
 * maxCout, default the layer's Cin and Cout). The X loaders (pe-array-load-runtime.ts) take cin
 * per pass, so the rounds and the last round's channels follow at run time; the drain
 * (pe-array-drain.ts runtimeCout) takes each tile's cout with its accumulator bank and drains only
 * its ceil(cout/pOut) of the ceil(maxCout/pOut) accumulator regions the PEs hold. K and the
 * formats stay the layer's, except the drain's macShift with `macShifts: { min, max }`: an input
 * `macShift` (held while a layer's tiles drain) selects it, the accumulator shifted left by
 * max - macShift and then rounded by max (pe-array-drain.ts macToIfftInputRuntimeHw), for layers
 * of other fraction bits. One build thus runs layers of any cin <= maxCin, cout <= maxCout (and
 * cin >= fftLanes) back to back, a bank each.
 *
 * Cycles per tile in steady state: see peArrayRates() (the same with streamed weights when the
 * next bank is loaded in time).
 *
 * Parameters: pass peArrayParams(layer, ...) rather than a plain { layer, ... } when the Verilog
 * goes to Icarus (see withDigest in schedule.ts).
 */
import { Bool, Decoupled, Bundle, Input, Output, Reg, RegNext, SInt, UInt, Vec, Wire, connect, constant, defineModule, isMain, log2Ceil, printVerilog, requireParam, when, type Signal, type Var } from "../core";
import { macShift, type FixedLayer } from "../../spectral/fixed/layer";
import { ComplexT } from "./fixed";
import { KernelRom, unpackRomWord, type KernelRomOutputs } from "./kernel-rom";
import { romIssue, streamedIssue } from "./pe-array-issue";
import { WeightBuffer } from "./weight-buffer";
import { WeightRow, storedRowShape, weightRowShape, type WeightRowShape } from "./weight-row";
import { PE_MAC_LATENCY, Pe, accDepth, oLocalBits } from "./pe";
import { buildLoaders } from "./pe-array-load";
import { buildRuntimeLoaders } from "./pe-array-load-runtime";
import { bankChannels, passCouts } from "./pe-array-channels";
import { bitsFor, signedBitsFor } from "./generator-params";
import { buildDrain } from "./pe-array-drain";
import { accumulatorBits, buildSchedule, withDigest, type Schedule } from "./schedule";
import { assertStreamRules, sumTree } from "../lib";
import type { Multiplier } from "./complex-mul";

export interface PeArrayParams {
  readonly layer: FixedLayer;
  readonly pOut: number;
  readonly pIn: number;
  /** input lanes (FFT units), a divisor of pIn; default 1 */
  readonly fftLanes?: number;
  /** output lanes (IFFT units), a divisor of pOut; default 1 */
  readonly ifftLanes?: number;
  /** X words written per load beat (pe.ts xWords), default K */
  readonly xWords?: number;
  /** accumulator words drained per clock (pe.ts drainWords), default 1 */
  readonly drainWords?: number;
  /** block slots per group buffer (a power of two, at most 32/(K/2+1) rounded down), default 4 */
  readonly blockSlots?: number;
  readonly multiplier?: Multiplier;
  readonly checkHazards?: boolean;
  /** false: keep the stored kernel order (a broken schedule, for the hazard check's tests) */
  readonly reorder?: boolean;
  /** where the schedule comes from: "rom" (kernel ROMs of `layer`'s weights, the default) or streamed */
  readonly weights?: "rom" | StreamedWeights;
}

/**
 * Streamed weights: the schedule arrives at run time on the `weights` port into a WeightBuffer of
 * two banks of maxDepth addresses, with each bank's channel counts; `layer` then gives only K, the
 * formats and the default maxima (its kernels are not used), and the accumulators are exact for
 * any kernels of up to maxCin input channels.
 */
export interface StreamedWeights {
  /** schedule addresses (rows) per bank: at least the depth of every schedule streamed */
  readonly maxDepth: number;
  /** bits of the rows' `tiles` count; default 16 */
  readonly tileBits?: number;
  /** the weight memories' style (WeightBuffer `style`); default: the tool's choice by size */
  readonly style?: "block" | "distributed";
  /** the most input channels of a bank (run-time `cin`); default the layer's Cin */
  readonly maxCin?: number;
  /** the most output channels of a bank (run-time `cout`); default the layer's Cout */
  readonly maxCout?: number;
  /**
   * macShift chosen at run time in min..max (an input `macShift`, held while a layer's tiles
   * drain), for layers of other fraction bits than the template's; default the template's only
   */
  readonly macShifts?: { readonly min: number; readonly max: number };
}


/** What a streamed array's channel maxima size: accumulator regions oLoc per PE and the oLocal field. */
export interface ChannelCapacity {
  readonly maxCin: number;
  readonly maxCout: number;
  /** ceil(maxCout / pOut) */
  readonly oLoc: number;
  readonly oBits: number;
}

/** The channel capacity of a streamed array (undefined for kernel ROMs). */
export function peArrayCapacity(p: PeArrayParams): ChannelCapacity | undefined {
  if (p.weights === undefined || p.weights === "rom") return undefined;
  const maxCin = p.weights.maxCin ?? p.layer.cin;
  const maxCout = p.weights.maxCout ?? p.layer.cout;
  requireParam(Number.isInteger(maxCin) && maxCin >= 1, `weights.maxCin must be a positive integer, got ${maxCin}`);
  requireParam(Number.isInteger(maxCout) && maxCout >= 1, `weights.maxCout must be a positive integer, got ${maxCout}`);
  const oLoc = Math.ceil(maxCout / p.pOut);
  return { maxCin, maxCout, oLoc, oBits: oLocalBits(oLoc) };
}

/** The row shape and tile-count width of the `weights` port (streamed weights only). */
export function peArrayWeightRow(p: PeArrayParams): { shape: WeightRowShape; tileBits: number } | undefined {
  const cap = peArrayCapacity(p);
  if (p.weights === undefined || p.weights === "rom" || !cap) return undefined;
  const shape = { ...weightRowShape(peArraySchedule(p), cap.oBits), cinBits: bitsFor(cap.maxCin), coutBits: bitsFor(cap.maxCout) };
  return { shape, tileBits: p.weights.tileBits ?? 16 };
}

/** The resolved configuration of an array (defaults filled in). */
export function peArrayConfig(p: PeArrayParams): Required<Omit<PeArrayParams, "layer">> {
  const K = p.layer.K;
  return {
    pOut: p.pOut,
    pIn: p.pIn,
    fftLanes: p.fftLanes ?? 1,
    ifftLanes: p.ifftLanes ?? 1,
    xWords: p.xWords ?? K,
    drainWords: p.drainWords ?? 1,
    blockSlots: p.blockSlots ?? 4,
    multiplier: p.multiplier ?? "four",
    checkHazards: p.checkHazards ?? false,
    reorder: p.reorder ?? true,
    weights: p.weights ?? "rom",
  };
}

export function peArraySchedule(p: PeArrayParams): Schedule {
  const c = peArrayConfig(p);
  return buildSchedule(p.layer, c.pOut, c.pIn, { drainWords: c.drainWords, reorder: c.reorder });
}

/** Cycles after its bank is handed over until a tile's drain may start, and drain pipeline depth. */
export const DRAIN_PIPELINE = 4;

/**
 * Steady-state cycles per tile of each part of the array (inputs always valid, outputs always
 * ready), the tile time being their max:
 *   mac     the schedule depth D (rounds x longest PE list)
 *   load    per group: its channels x (K/2+1) columns x K/xWords beats, a lane serving
 *           pIn/fftLanes groups one after the other
 *   drain   drainDepth addresses (oLoc x (K/2+1) x K/drainWords), all groups in lock step
 *   lane    an IFFT lane's blocks x (K/2+1) columns
 *   pair    two tiles take at least D + drain + PE_MAC_LATENCY cycles (tile t+2 reuses tile t's
 *           accumulator bank after its drain)
 *   xPair   likewise two rounds take at least one round's issue + 1 + the next-but-one channel's
 *           load (round r+2 reuses round r's X bank once round r has read it)
 */
export interface PeArrayRates {
  readonly mac: number;
  readonly load: number;
  readonly drain: number;
  readonly lane: number;
  readonly pair: number;
  readonly xPair: number;
  /** the max of the above: cycles per tile in steady state */
  readonly tile: number;
}

/** What the rates depend on: the shape, the configuration and the schedule's depth. */
export interface PeArrayShape extends Required<Pick<PeArrayParams, "pOut" | "pIn" | "fftLanes" | "ifftLanes" | "xWords" | "drainWords">> {
  readonly K: number;
  readonly cin: number;
  readonly cout: number;
  /** MAC issue cycles per tile (Schedule.depth; ceil(Cin/pIn) * ceil(Cout/pOut) * n for balanced kernels) */
  readonly depth: number;
}

/** peArrayRates from the shape alone (balanced kernels: depth = rounds x oLoc x n). */
export function peArrayRatesOf(s: PeArrayShape): PeArrayRates {
  const half = s.K / 2 + 1;
  const rounds = Math.ceil(s.cin / s.pIn);
  const oLoc = Math.ceil(s.cout / s.pOut);
  const channelLoad = half * (s.K / s.xWords);
  const load = Math.ceil(s.cin / s.fftLanes) * channelLoad;
  const xPair = (s.depth + rounds * (1 + (s.pIn / s.fftLanes) * channelLoad)) / 2;
  const drain = (oLoc * half * s.K) / s.drainWords;
  const lane = Math.ceil(s.cout / s.ifftLanes) * half;
  // tile t+2 reuses tile t's bank: its first issue waits for the drain, which starts PE_MAC_LATENCY + 1
  // cycles after tile t's last issue and takes `drain` cycles
  const pair = (s.depth + drain + PE_MAC_LATENCY) / 2;
  return { mac: s.depth, load, drain, lane, pair, xPair, tile: Math.max(s.depth, load, drain, lane, pair, xPair) };
}

export function peArrayRates(p: PeArrayParams): PeArrayRates {
  const s = peArraySchedule(p);
  const c = peArrayConfig(p);
  return peArrayRatesOf({ ...c, K: s.K, cin: s.cin, cout: s.cout, depth: s.depth });
}

export const PeArray = defineModule("PeArray", (p: PeArrayParams) => {
  const c = peArrayConfig(p);
  const s = peArraySchedule(p);
  const f = p.layer.formats;
  const { K, half, vBits, xBits, weightBits, indexBits, pOut, pIn } = s;
  // streamed: the channel counts are run-time, at most the capacity's maxima
  const cap = peArrayCapacity(p);
  const cin = cap ? cap.maxCin : s.cin;
  const cout = cap ? cap.maxCout : s.cout;
  const oLoc = cap ? cap.oLoc : s.oLoc;
  const oBits = cap ? cap.oBits : s.oBits;
  // streamed: any kernels of the shape, so up to Cin terms into one accumulator word
  const accBits = c.weights === "rom" ? s.accBits : accumulatorBits(xBits, weightBits, cin);
  requireParam(Number.isInteger(c.fftLanes) && c.fftLanes >= 1 && pIn % c.fftLanes === 0 && c.fftLanes <= cin, `fftLanes must divide pIn = ${pIn} and be at most Cin = ${cin}, got ${c.fftLanes}`);
  requireParam(Number.isInteger(c.ifftLanes) && c.ifftLanes >= 1 && pOut % c.ifftLanes === 0 && c.ifftLanes <= cout, `ifftLanes must divide pOut = ${pOut} and be at most Cout = ${cout}, got ${c.ifftLanes}`);
  requireParam(Number.isInteger(Math.log2(c.blockSlots)) && c.blockSlots >= 1, `blockSlots must be a power of two, got ${c.blockSlots}`);

  const x = Input(Vec(c.fftLanes, Decoupled(Bundle({ last: Bool(), col: Vec(K, ComplexT(xBits)) }))));
  const y = Output(Vec(c.ifftLanes, Decoupled(Bundle({ last: Bool(), col: Vec(K, ComplexT(f.ifftBits)) }))));
  const macs = Output(UInt(log2Ceil(s.P + 1)));
  const shifts = c.weights === "rom" ? undefined : c.weights.macShifts;
  if (shifts) requireParam(Number.isInteger(shifts.min) && Number.isInteger(shifts.max) && shifts.min <= shifts.max, `weights.macShifts must be integers min <= max, got ${shifts.min}..${shifts.max}`);
  // named explicitly: the naming does not see through the conditional
  const macShiftIn = shifts ? Input(SInt(signedBitsFor(shifts.min, shifts.max)), { name: "macShift" }) : undefined;

  // ---- bank flags ----
  const loaded = Array.from({ length: pIn }, (_, pi) => [0, 1].map((b) => Reg(Bool(), { init: 0, name: `loaded_${pi}_${b}` })));
  const accFull = [0, 1].map((b) => Reg(Bool(), { init: 0, name: `accFull${b}` }));

  // ---- streamed: the weight rows, each bank's last with its pass's cin, cout and tiles ----
  const streamed = c.weights === "rom" ? undefined : c.weights;
  const row = peArrayWeightRow(p);
  // named explicitly: the naming does not see through the conditional
  const weights = row ? Input(Decoupled(WeightRow(row.shape, row.tileBits)), { name: "weights" }) : undefined;
  const bank = weights && row ? bankChannels(weights, c.fftLanes, cin, cout) : undefined;

  // ---- loaders: FFT lanes into the groups' X banks ----
  const lanes = [...x].map((lane) => ({ valid: lane.valid, ready: lane.ready as Var, last: lane.bits.last, col: [...lane.bits.col] }));
  const loads = bank && row
    ? buildRuntimeLoaders({ K, pIn, fftLanes: c.fftLanes, xWords: c.xWords, vBits, maxCin: cin, cinBits: bitsFor(cin), tileBits: row.tileBits }, lanes, loaded, { valid: bank.push, cin: bank.cin, tiles: bank.tiles })
    : buildLoaders({ K, cin, pIn, fftLanes: c.fftLanes, xWords: c.xWords, rounds: s.rounds, vBits }, lanes, loaded);

  // ---- MAC issue: one schedule address per cycle for all PEs ----
  const romIssueOf = streamed ? undefined : romIssue(s, loaded, accFull);
  const wbuf = streamed && row ? WeightBuffer.instance({ row: storedRowShape(row.shape), maxDepth: streamed.maxDepth, tileBits: row.tileBits, ...(streamed.style ? { style: streamed.style } : {}) }, { name: "wbuf" }) : undefined;
  if (wbuf && weights) {
    wbuf.load.valid.assign(weights.valid);
    weights.ready.assign(wbuf.load.ready);
    for (const k of ["tileLast", "ctl", "words", "last", "tiles"] as const) connect(wbuf.load.bits[k], weights.bits[k]);
  }
  const keepCleared = wbuf ? Wire(Bool()) : undefined;
  const { issue, mb, ab, roundLast, tileLast } = romIssueOf ?? streamedIssue(wbuf!, loaded, accFull, keepCleared!);
  // streamed: each accumulator bank keeps the cout of the tile it holds, for the drain
  const accCout = bank && row ? passCouts({ push: bank.push, cout: bank.cout, tiles: bank.tiles }, issue, tileLast, ab, row.tileBits) : undefined;
  const s1 = { valid: RegNext(issue, { init: 0 }), xBank: RegNext(mb, { init: 0 }), accBank: RegNext(ab, { init: 0 }), roundLast: RegNext(issue.and(roundLast), { init: 0 }) };
  // the round's last X read is issued in S1: its bank may be reloaded from the next edge on
  loaded.forEach((flags) => flags.forEach((full, b) => when(s1.roundLast.and(s1.xBank.eq(b)), () => full.assign(0))));
  // the tile's last MAC is written at the end of S4: its bank drains from the next cycle on
  let tileDone = issue.and(tileLast);
  let tileBank: Signal = ab;
  for (let k = 0; k < PE_MAC_LATENCY; k++) {
    tileDone = RegNext(tileDone, { init: 0, name: `tile_done_s${k + 1}` });
    tileBank = RegNext(tileBank, { init: 0, name: `tile_bank_s${k + 1}` });
  }
  accFull.forEach((full, b) => when(tileDone.and(tileBank.eq(b)), () => full.assign(1)));

  // ---- the PEs and their kernel ROMs (or the weight buffer's words) ----
  const kernelRom = (po: number, pi: number): KernelRomOutputs => {
    const words = s.rom[po]![pi]!.map(({ useful, first, oLocal, index, re, im }) => ({ useful, first, oLocal, index, re, im }));
    const rom = KernelRom.instance({ oBits, indexBits, weightBits, words: withDigest(words, { depth: words.length }) }, { name: `rom_${po}_${pi}` });
    rom.addr.assign(romIssueOf!.ra);
    rom.en.assign(issue);
    return rom;
  };
  const pes = Array.from({ length: pOut }, (_, po) =>
    Array.from({ length: pIn }, (_, pi) => {
      const entry = wbuf ? unpackRomWord(wbuf.words.at(po * pIn + pi), oBits, indexBits, weightBits) : kernelRom(po, pi);
      const pe = Pe.instance(
        {
          K, xBits, weightBits, accBits, oLoc, xWords: c.xWords, drainWords: c.drainWords, multiplier: c.multiplier, checkHazards: c.checkHazards,
          ...(streamed ? { trackKeep: true } : {}),
        },
        { name: `pe_${po}_${pi}` },
      );
      pe.issued.assign(s1.valid);
      pe.xBank.assign(s1.xBank);
      pe.accBank.assign(s1.accBank);
      for (const k of ["useful", "first", "oLocal", "index", "re", "im"] as const) pe.entry[k].assign(entry[k]);
      const ld = loads[pi]!;
      pe.ld.en.assign(ld.en);
      pe.ld.bank.assign(ld.bank);
      pe.ld.addr.assign(ld.addr);
      ld.words.forEach((w, q) => {
        pe.ld.words.at(q).re.assign(w.re);
        pe.ld.words.at(q).im.assign(w.im);
      });
      return pe;
    }),
  );
  macs.assign(sumTree(pes.flat().map((pe) => pe.mac.zext(1))).resize(macs.width));
  if (keepCleared) keepCleared.assign((pes[0]![0]! as { cleared?: Signal }).cleared!);

  // ---- drain, group sums, block buffers, IFFT lanes ----
  const drain = buildDrain(
    {
      K, cout, pOut, pIn, oLoc, drainWords: c.drainWords, drainDepth: accDepth(K, c.drainWords, oLoc), accBits, ifftBits: f.ifftBits,
      shift: shifts && macShiftIn ? { max: shifts.max, amount: constant(shifts.max, SInt(macShiftIn.width + 1)).sub(macShiftIn).asUInt().resize(bitsFor(shifts.max - shifts.min)) } : macShift(K, f),
      ifftLanes: c.ifftLanes, slots: c.blockSlots, ...(accCout ? { runtimeCout: accCout } : { keep: s.drainKeep }),
    },
    pes.map((row) => row.map((pe) => ({ drWords: [...pe.dr_words], ...("dr_keep" in pe ? { drKeep: pe.dr_keep as Var } : {}) }))),
    accFull,
    [...y].map((lane) => lane.ready),
  );
  for (const pe of pes.flat()) {
    pe.dr.en.assign(drain.dr.en);
    pe.dr.bank.assign(drain.dr.bank);
    pe.dr.addr.assign(drain.dr.addr);
  }
  drain.lanes.forEach((lane, j) => {
    const out = y.at(j);
    out.valid.assign(lane.valid);
    out.bits.last.assign(lane.last);
    lane.col.forEach((w, u) => {
      out.bits.col.at(u).re.assign(w.re);
      out.bits.col.at(u).im.assign(w.im);
    });
  });

  [...y].forEach((lane, j) => assertStreamRules(lane, `y${j}`));

  const ports = { x, y, macs, ...(weights ? { weights } : {}), ...(macShiftIn ? { macShift: macShiftIn } : {}) };
  if (!c.checkHazards) return ports;
  const hazard = Output(Bool());
  const seen = Reg(Bool(), { init: 0, name: "hazard_seen" });
  const flags = pes.flat().map((pe) => (pe as { hazard?: Signal }).hazard!);
  when(flags.reduce((a, b) => a.or(b)), () => seen.assign(1));
  hazard.assign(seen);
  return { ...ports, hazard };
});

/**
 * Parameters for PeArray whose module key / header comment is short (the layer's shape, formats
 * and a digest of its kernels instead of every entry): use this for real layers (see withDigest).
 */
export function peArrayParams(layer: FixedLayer, pOut: number, pIn: number, opts: Omit<PeArrayParams, "layer" | "pOut" | "pIn"> = {}): PeArrayParams {
  const { cin, cout, K, formats } = layer;
  return { layer: withDigest(layer, { cin, cout, K, formats }), pOut, pIn, ...opts };
}

/** A small deterministic demo layer for `npx tsx hdl/spec2/pe-array.ts`: LeNet conv2 shape, n = 10. */
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

if (isMain(import.meta.url)) printVerilog(PeArray, peArrayParams(demoLayer(), 8, 1));
