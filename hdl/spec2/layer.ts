/**
 * One SPEC2 convolution layer, for a batch of images streamed back to back:
 *
 *   load -> [InputTiler -> Fft2dForward -> FIFO] x fftLanes -> PeArray (pOut x pIn PEs)
 *        -> [Ifft2d -> OverlapAdd] x ifftLanes -> out[j]
 *
 * bit-exact with goldenConvLayer for the layer's FixedLayer, image by image.
 *
 * Ports:
 *   load_valid, load_ready (out), load_data: Vec(loadWords, SInt(actBits))
 *       the input maps, image after image, each in raster order (channel, row, columns in
 *       beats of loadWords; a row takes ceil(W/loadWords) beats, words past the row's end are
 *       ignored). Beat by beat the channel's FFT lane (i mod fftLanes) takes it; each lane's
 *       tiler is double-buffered, so image n+1 loads while image n is computed.
 *   out[j] (j < ifftLanes): { valid, channel, row, col, mask, values: Vec(K, SInt(actBits)) }
 *       final output words (bias, ReLU, saturation applied) of output channels o = j (mod
 *       ifftLanes): `values[c]` is column col + c of row `row` where mask bit c is set. Per
 *       lane, images come out in order.
 *   macs: PEs completing a useful complex MAC this cycle (for utilisation).
 *   overrun: latches if an overlap-add unit ever fell behind (never, for the configurations
 *       the rate rules allow; the tests assert it).
 *   hazard (checkHazards only): the PE array's read-modify-write check.
 *
 * Flow control: the FFT has no output back-pressure, so a FIFO sits between it and the PE
 * array, and each lane's tiler starts an input channel only with a credit (one per channel the
 * FIFO can hold; fft-lane.ts, shared with the engine). The IFFTs feed the overlap-add units, which never stall.
 */
import { Bool, Bundle, Decoupled, Input, Output, Reg, SInt, UInt, Vec, connect, constant, defineModule, log2Ceil, mux, requireParam, when, type Signal } from "../core";
import { makePlan } from "../../spectral/conv";
import type { FixedLayer } from "../../spectral/fixed";
import { fftLane } from "./fft-lane";
import { Ifft2d } from "./ifft2d";
import { InputTiler } from "./input-tiler";
import { OverlapAdd } from "./overlap-add";
import { PeArray, peArrayConfig, peArrayParams, peArrayWeightRow, type PeArrayParams } from "./pe-array";
import { WeightRow } from "./weight-row";
import { withDigest } from "./schedule";

export interface Spec2LayerParams extends PeArrayParams {
  /** input words per load beat, at most the tile size T (default 1) */
  readonly loadWords?: number;
}

/** The layer with a short parameter key (shape, formats and a digest of the weights). */
function small(layer: FixedLayer): FixedLayer {
  return withDigest(layer, { cin: layer.cin, cout: layer.cout, h: layer.h, w: layer.w, k: layer.k, p: layer.p, K: layer.K, formats: layer.formats });
}

export const Spec2Layer = defineModule(
  "Spec2Layer",
  (p: Spec2LayerParams) => {
    const layer = p.layer;
    const { K, T, cin, cout, ho, wo } = makePlan(layer);
    const f = layer.formats;
    const c = peArrayConfig(p);
    const loadWords = p.loadWords ?? 1;
    requireParam(Number.isInteger(loadWords) && loadWords >= 1 && loadWords <= T, `loadWords must be an integer in 1..T = ${T}, got ${loadWords}`);

    const load_valid = Input(Bool());
    const load_ready = Output(Bool());
    const load_data = Input(Vec(loadWords, SInt(f.actBits)));
    const out = Output(
      Vec(c.ifftLanes, Bundle({ valid: Bool(), channel: UInt(log2Ceil(cout)), row: UInt(log2Ceil(ho)), col: UInt(log2Ceil(wo)), mask: UInt(K), values: Vec(K, SInt(f.actBits)) })),
    );
    const macs = Output(UInt(log2Ceil(c.pOut * c.pIn + 1)));
    const overrun = Output(Bool());

    // weights: "rom" left out of the parameters, so the array's module key is what it was before the option
    const { weights: weightSource, ...arrayOpts } = c;
    const pe = PeArray.instance(peArrayParams(layer, c.pOut, c.pIn, weightSource === "rom" ? arrayOpts : c));
    // streamed weights (PeArray `weights`): the array's row stream is the layer's
    const weightRow = peArrayWeightRow(p);
    const weights = weightRow ? Input(Decoupled(WeightRow(weightRow.shape, weightRow.tileBits)), { name: "weights" }) : undefined;
    if (weights) connect(pe.weights, weights);

    // ---- load: route each beat to the FFT lane of its channel ----
    const beatsPerRow = Math.ceil(layer.w / loadWords);
    const beat = Reg(UInt(log2Ceil(beatsPerRow)), { init: 0, name: "load_beat" });
    const row = Reg(UInt(log2Ceil(layer.h)), { init: 0, name: "load_row" });
    const lane = Reg(UInt(log2Ceil(c.fftLanes)), { init: 0, name: "load_lane" });
    const channel = Reg(UInt(log2Ceil(cin)), { init: 0, name: "load_channel" });

    // ---- per FFT lane: tiler -> FFT -> FIFO -> PE array, one channel per credit (fft-lane.ts) ----
    const tilers = Array.from({ length: c.fftLanes }, (_, l) => {
      const tiler = InputTiler.instance({ layer: small(layer), lanes: c.fftLanes, lane: l, loadWords }, { name: `tiler${l}` });
      tiler.load.valid.assign(load_valid.and(lane.eq(l)));
      for (let q = 0; q < loadWords; q++) tiler.load.data.at(q).assign(load_data.at(q));
      fftLane({ K, T, fftBits: f.fftBits, twiddleFrac: f.twiddleFrac }, tiler.out, pe.x.at(l), l);
      return tiler;
    });
    const ready = tilers.map((t, l) => t.load.ready.and(lane.eq(l))).reduce((a, b) => a.or(b));
    load_ready.assign(ready);
    when(load_valid.and(ready), () => {
      when(beat.eq(beatsPerRow - 1), () => {
        beat.assign(0);
        when(row.eq(layer.h - 1), () => {
          row.assign(0);
          when(channel.eq(cin - 1), () => {
            channel.assign(0);
            lane.assign(0);
          }).otherwise(() => {
            channel.assign(channel.addWrap(1));
            if (c.fftLanes > 1) lane.assign(mux(lane.eq(c.fftLanes - 1), 0, lane.addWrap(1)));
          });
        }).otherwise(() => row.assign(row.addWrap(1)));
      }).otherwise(() => beat.assign(beat.addWrap(1)));
    });

    // ---- per IFFT lane: PE array -> IFFT -> overlap-add -> out[j] ----
    const overruns = Array.from({ length: c.ifftLanes }, (_, j) => {
      const ifft = Ifft2d.instance({ K, dataBits: f.ifftBits, twiddleFrac: f.twiddleFrac }, { name: `ifft${j}` });
      const oaa = OverlapAdd.instance({ layer: small(layer), lanes: c.ifftLanes, lane: j }, { name: `oaa${j}` });
      const y = pe.y.at(j);
      ifft.inValid.assign(y.valid);
      y.ready.assign(ifft.inReady);
      for (let u = 0; u < K; u++) {
        ifft.inCol.at(u).re.assign(y.bits.col.at(u).re);
        ifft.inCol.at(u).im.assign(y.bits.col.at(u).im);
      }
      oaa.in.valid.assign(ifft.outValid);
      for (let h = 0; h < 2; h++) for (let col = 0; col < K; col++) oaa.in.rows.at(h).at(col).assign(ifft.outRows.at(h).at(col));
      const o = out.at(j);
      for (const k of ["valid", "channel", "row", "col", "mask"] as const) o[k].assign(oaa.out[k]);
      for (let q = 0; q < K; q++) o.values.at(q).assign(oaa.out.values.at(q));
      return oaa.overrun;
    });
    macs.assign(pe.macs);
    overrun.assign(overruns.reduce<Signal>((a, b) => a.or(b), constant(0, Bool())));
    const ports = { load_valid, load_ready, load_data, out, macs, overrun, ...(weights ? { weights } : {}) };
    if (!c.checkHazards) return ports;
    const hazard = Output(Bool());
    hazard.assign((pe as unknown as { hazard: Signal }).hazard);
    return { ...ports, hazard };
  },
  {
    moduleName: (p) => {
      const c = peArrayConfig(p);
      const lanes = c.fftLanes > 1 || c.ifftLanes > 1 ? `_L${c.fftLanes}x${c.ifftLanes}` : "";
      const streamed = c.weights === "rom" ? "" : "_streamed";
      return `Spec2Layer_c${p.layer.cin}x${p.layer.cout}_${p.layer.h}x${p.layer.w}_k${p.layer.k}p${p.layer.p}_K${p.layer.K}_P${p.pOut}x${p.pIn}${lanes}${streamed}`;
    },
  },
);
