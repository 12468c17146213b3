/**
 * One FFT lane between an input tiler and a PE array (Spec2Layer's and the engine's plumbing):
 * tiler rows -> Fft2dForward -> FIFO -> the array's x port of the lane. The FFT has no output
 * back-pressure, so a FIFO of nextPow2(3 (K/2 + 1)) columns sits before the array and the tiler
 * starts an input channel (a tile's `first` row) only with a credit: one per channel's spectrum
 * the FIFO can hold, returned when the array takes that spectrum's last column.
 */
import { Reg, UInt, cat, log2Ceil, when, type Signal, type Var } from "../core";
import { queue } from "../lib";
import { Fft2dForward } from "./fft2d";

export interface FftLaneParams {
  readonly K: number;
  readonly T: number;
  readonly fftBits: number;
  readonly twiddleFrac: number;
}

/** The tiler's output as the lane sees it (InputTiler's and BandTiler's `out`). */
export interface TilerRows {
  readonly valid: Signal;
  readonly ready: { assign(v: Signal): void };
  readonly first: Signal;
  readonly row: { at(b: number): Signal };
}

/** The array's x port of one lane (PeArray `x[l]`). */
export interface LaneInput {
  readonly valid: Var;
  readonly ready: Signal;
  readonly bits: { readonly last: Var; readonly col: { at(u: number): { readonly re: Var; readonly im: Var } } };
}

function nextPow2(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(2, n)));
}

/** Wires lane `l`: the tiler's rows through an FFT and its FIFO into `x`. Call inside a module body. */
export function fftLane(p: FftLaneParams, tiler: TilerRows, x: LaneInput, l: number): void {
  const { K, T, fftBits: fb } = p;
  const columns = K / 2 + 1;
  const fifoDepth = nextPow2(3 * columns);
  const credits = Math.floor(fifoDepth / columns);
  const fft = Fft2dForward.instance({ K, T, dataBits: fb, twiddleFrac: p.twiddleFrac }, { name: `fft${l}` });
  const fifo = queue({ type: UInt(2 * K * fb + 1), depth: fifoDepth }, { name: `fifo${l}` });
  const free = Reg(UInt(log2Ceil(credits + 1)), { init: credits, name: `credits${l}` });
  const admit = tiler.first.not().or(free.neq(0));
  tiler.ready.assign(fft.inReady.and(admit));
  const start = tiler.valid.and(fft.inReady).and(admit).and(tiler.first);
  fft.inValid.assign(tiler.valid.and(admit));
  for (let b = 0; b < T; b++) fft.inRow.at(b).assign(tiler.row.at(b));
  // FFT -> FIFO (packed: last flag, then u = K-1 .. 0 as im, re) -> the array's lane
  const packed: Signal[] = [fft.outLast];
  for (let u = K - 1; u >= 0; u--) packed.push(fft.outCol.at(u).im.asUInt(), fft.outCol.at(u).re.asUInt());
  fifo.enq.valid.assign(fft.outValid);
  fifo.enq.bits.assign(cat(...packed));
  const word = fifo.deq.bits;
  for (let u = 0; u < K; u++) {
    x.bits.col.at(u).re.assign(word.bits(2 * u * fb + fb - 1, 2 * u * fb).asSInt());
    x.bits.col.at(u).im.assign(word.bits(2 * u * fb + 2 * fb - 1, 2 * u * fb + fb).asSInt());
  }
  x.bits.last.assign(word.bit(2 * K * fb));
  x.valid.assign(fifo.deq.valid);
  fifo.deq.ready.assign(x.ready);
  const release = fifo.deq.valid.and(x.ready).and(word.bit(2 * K * fb));
  when(start.and(release.not()), () => free.assign(free.subWrap(1))).elsewhen(release.and(start.not()), () => free.assign(free.addWrap(1)));
}
