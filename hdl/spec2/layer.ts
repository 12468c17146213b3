/**
 * One SPEC2 convolution layer: input buffer and tiler -> 2D FFT -> PE array
 * (P_out x P_in PEs) -> 2D IFFT -> overlap-add with bias and ReLU. Bit-exact
 * with goldenConvLayer for the layer's FixedLayer.
 *
 * Ports: `load_*` takes one input map (Cin x H x W words, raster order);
 * `out_*` gives the output words K columns at a time (`out_mask` marks the
 * columns that exist); `macs` counts the PEs doing a useful MAC each cycle;
 * `overrun` latches if the overlap-add ever fell behind (never, for the
 * supported shapes; the tests assert it).
 *
 * Flow control: the FFT has no output back-pressure, so a FIFO sits between
 * it and the PE array, and the tiler starts an input channel only with a
 * credit (one per channel the FIFO can hold). The IFFT feeds the overlap-add,
 * which never stalls.
 */
import { Bool, Input, Output, Reg, SInt, UInt, Vec, cat, defineModule, log2Ceil, when, type Signal } from "../core";
import { makePlan } from "../../spectral/conv";
import type { FixedLayer } from "../../spectral/fixed";
import { Fft2dForward } from "./fft2d";
import { Ifft2d } from "./ifft2d";
import { InputTiler } from "./input-tiler";
import { OverlapAdd } from "./overlap-add";
import { PeArray, peArrayParams } from "./pe-array";
import { StreamFifo } from "./stream-fifo";
import { withDigest } from "./schedule";

export interface Spec2LayerParams {
  readonly layer: FixedLayer;
  readonly pOut: number;
  readonly pIn: number;
}

function nextPow2(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(2, n)));
}

export const Spec2Layer = defineModule(
  "Spec2Layer",
  (p: Spec2LayerParams) => {
    const layer = p.layer;
    const { K, T, cout, ho, wo } = makePlan(layer);
    const f = layer.formats;
    const columns = K / 2 + 1;
    const fifoDepth = nextPow2(3 * columns);
    const credits = Math.floor(fifoDepth / columns);

    const load_valid = Input(Bool());
    const load_ready = Output(Bool());
    const load_data = Input(SInt(f.actBits));
    const out_valid = Output(Bool());
    const out_channel = Output(UInt(log2Ceil(cout)));
    const out_row = Output(UInt(log2Ceil(ho)));
    const out_col = Output(UInt(log2Ceil(wo)));
    const out_mask = Output(UInt(K));
    const out_values = Output(Vec(K, SInt(f.actBits)));
    const macs = Output(UInt(log2Ceil(p.pOut * p.pIn + 1)));
    const overrun = Output(Bool());
    const tiles_done = Output(Bool());

    const small = withDigest(layer, { cin: layer.cin, cout, h: layer.h, w: layer.w, k: layer.k, p: layer.p, K, formats: f });
    const tiler = InputTiler.instance(small);
    const fft = Fft2dForward.instance({ K, T, dataBits: f.fftBits, twiddleFrac: f.twiddleFrac });
    const fifo = StreamFifo.instance({ width: 2 * K * f.fftBits + 1, depth: fifoDepth });
    const pe = PeArray.instance(peArrayParams(layer, p.pOut, p.pIn));
    const ifft = Ifft2d.instance({ K, dataBits: f.ifftBits, twiddleFrac: f.twiddleFrac });
    const oaa = OverlapAdd.instance(small);

    // Input: host -> buffer -> tiler -> FFT, one channel per credit.
    tiler.loadValid.assign(load_valid);
    tiler.loadData.assign(load_data);
    load_ready.assign(tiler.loadReady);
    const free = Reg(UInt(log2Ceil(credits + 1)), { init: credits });
    const admit = tiler.outFirst.not().or(free.neq(0));
    tiler.outReady.assign(fft.inReady.and(admit));
    const start = tiler.outValid.and(tiler.outReady).and(tiler.outFirst);
    fft.inValid.assign(tiler.outValid.and(admit));
    for (let b = 0; b < T; b++) fft.inRow.at(b).assign(tiler.outRow.at(b));

    // FFT -> FIFO (packed: last flag, then u = K-1 .. 0 as im, re) -> PE array.
    const packed: Signal[] = [fft.outLast];
    for (let u = K - 1; u >= 0; u--) packed.push(fft.outCol.at(u).im.asUInt(), fft.outCol.at(u).re.asUInt());
    fifo.enqValid.assign(fft.outValid);
    fifo.enqBits.assign(cat(...packed));
    const word = fifo.deqBits;
    const fb = f.fftBits;
    for (let u = 0; u < K; u++) {
      pe.x_col.at(u).re.assign(word.bits(2 * u * fb + fb - 1, 2 * u * fb).asSInt());
      pe.x_col.at(u).im.assign(word.bits(2 * u * fb + 2 * fb - 1, 2 * u * fb + fb).asSInt());
    }
    pe.x_last.assign(word.bit(2 * K * fb));
    pe.x_valid.assign(fifo.deqValid);
    fifo.deqReady.assign(pe.x_ready);
    const release = fifo.deqValid.and(pe.x_ready).and(word.bit(2 * K * fb));
    when(start.and(release.not()), () => free.assign(free.subWrap(1))).elsewhen(release.and(start.not()), () => free.assign(free.addWrap(1)));

    // PE array -> IFFT -> overlap-add.
    ifft.inValid.assign(pe.y_valid);
    pe.y_ready.assign(ifft.inReady);
    for (let u = 0; u < K; u++) {
      ifft.inCol.at(u).re.assign(pe.y_col.at(u).re);
      ifft.inCol.at(u).im.assign(pe.y_col.at(u).im);
    }
    oaa.inValid.assign(ifft.outValid);
    for (let c = 0; c < K; c++) oaa.inRow.at(c).assign(ifft.outRow.at(c));

    out_valid.assign(oaa.outValid);
    out_channel.assign(oaa.outChannel);
    out_row.assign(oaa.outRow);
    out_col.assign(oaa.outCol);
    out_mask.assign(oaa.outMask);
    for (let j = 0; j < K; j++) out_values.at(j).assign(oaa.outValues.at(j));
    macs.assign(pe.macs);
    overrun.assign(oaa.overrun);
    tiles_done.assign(tiler.done);
    return { load_valid, load_ready, load_data, out_valid, out_channel, out_row, out_col, out_mask, out_values, macs, overrun, tiles_done };
  },
  { moduleName: (p) => `Spec2Layer_c${p.layer.cin}x${p.layer.cout}_${p.layer.h}x${p.layer.w}_k${p.layer.k}p${p.layer.p}_K${p.layer.K}_P${p.pOut}x${p.pIn}` },
);
