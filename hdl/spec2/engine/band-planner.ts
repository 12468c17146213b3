/**
 * BandPlanner { T, port, maxChannels, maxHeight, maxWidth }: turns a layer's input map (run-time
 * shape) into the commands of its bands: per band (tile row) ty, a BandTiler command and the
 * MapLoader command that reads the band's map rows, so that the two, fed by this, tile a map in
 * external memory of any height band by band.
 *
 * Ports
 *   layer (Decoupled, in): `{ addr, c, h, w, pitch, p }`: the map at byte address addr (a
 *     multiple of the beat), c channels of h x w words, rows `pitch` words apart, channels
 *     h pitch apart (MapWriter's layout); padding p (p < T).
 *   band (Decoupled, out): BandTiler's command for band ty: the tiles cover the padded input, as
 *     the golden model's (spectral/conv.ts makePlan): tilesX = ceil((w + 2p) / T), tilesY =
 *     ceil((h + 2p) / T); rowWords = ceil(w / T); band rows rowLo = p for ty = 0 (else 0) up
 *     to rowHi = max(rowLo, min(T, h - (ty T - p))) (a last band may be all padding: rowHi =
 *     rowLo); `last` for ty = tilesY - 1.
 *   load (Decoupled, out): MapLoader's command for the same band: rows ty T - p + rowLo ..
 *     ty T - p + rowHi - 1 of every channel (first = that row times pitch, stride = h pitch);
 *     none for a band of padding only.
 *   busy: a layer taken and not all its commands out.
 *
 * The two commands of a band leave independently (each when its unit takes it); the next band's
 * follow once both are out. The divisions by T run once per layer, one subtraction per clock
 * (at most ceil((maxWidth + 2T) / T) clocks), before the first band.
 */
import { Bool, Bundle, Decoupled, Input, Output, Reg, SInt, UInt, constant, defineModule, mux, when, type Signal, type Var } from "../../core";
import type { BurstPortParams } from "../../lib";
import { bitsFor, checkParams, isIntIn } from "../generator-params";
import { bandCommandType, maxTilesX } from "./band-tiler";
import { mapLoadCommandType } from "./map-loader";

export interface BandPlannerParams {
  readonly T: number;
  readonly port: BurstPortParams;
  readonly maxChannels: number;
  readonly maxHeight: number;
  readonly maxWidth: number;
  /** words per memory beat (MapLoader's wordBits = 16 on the port's beat) */
  readonly wordsPerBeat: number;
}

/** The `layer` command bundle: a map's address and shape, and the kernel size and padding. */
export function layerCommandType(p: Pick<BandPlannerParams, "T" | "port" | "maxChannels" | "maxHeight" | "maxWidth" | "wordsPerBeat">) {
  return Bundle({
    addr: UInt(p.port.addrBits),
    c: UInt(bitsFor(p.maxChannels)),
    h: UInt(bitsFor(p.maxHeight)),
    w: UInt(bitsFor(p.maxWidth)),
    pitch: UInt(bitsFor(p.maxWidth + p.wordsPerBeat - 1)),
    p: UInt(bitsFor(p.T - 1)),
  });
}

export const BandPlanner = defineModule("BandPlanner", (p: BandPlannerParams) => {
  const { T } = p;
  checkParams([
    [isIntIn(T, 1, 64), `T must be an integer in 1..64, got ${T}`],
    [isIntIn(p.maxChannels, 1, 65535) && isIntIn(p.maxHeight, 1, 65535) && isIntIn(p.maxWidth, 1, 65535), "maxChannels, maxHeight and maxWidth must be integers in 1..65535"],
  ]);
  const bandT = bandCommandType({ T, actBits: 16, maxChannels: p.maxChannels, maxWidth: p.maxWidth });
  const loadT = mapLoadCommandType(p);
  const maxPitch = p.maxWidth + p.wordsPerBeat - 1;
  const layer = Input(Decoupled(layerCommandType(p)));
  const band = Output(Decoupled(bandT));
  const load = Output(Decoupled(loadT));
  const busy = Output(Bool());

  // ---- the layer ----
  const L = layer.bits;
  const fields = ["addr", "c", "h", "w", "pitch", "p"] as const;
  const cur = Object.fromEntries(fields.map((f) => [f, Reg(UInt(L[f].width), { init: 0, name: `layer_${f}` })])) as Record<(typeof fields)[number], Var>;
  const dividing = Reg(Bool(), { init: 0 });
  const planning = Reg(Bool(), { init: 0 });
  layer.ready.assign(dividing.or(planning).not());

  // ---- ceil(x / T) for w + 2p, h + 2p and w, by subtraction: rem counts down by T, q up by 1 ----
  const remBits = bitsFor(p.maxHeight + p.maxWidth + 2 * T) + 1;
  const divide = (name: string, width: number) => ({ rem: Reg(SInt(remBits), { init: 0, name: `${name}_rem` }), q: Reg(UInt(width), { init: 0, name }) });
  const tilesX = divide("tiles_x", bitsFor(maxTilesX({ T, maxWidth: p.maxWidth })));
  const tilesY = divide("tiles_y", bitsFor(maxTilesX({ T, maxWidth: p.maxHeight })));
  const rowWords = divide("row_words", bitsFor(Math.ceil(p.maxWidth / T)));
  const divs = [tilesX, tilesY, rowWords];
  const take = layer.valid.and(layer.ready);
  const s = (x: Signal): Signal => x.zext(remBits).asSInt();
  when(take, () => {
    fields.forEach((f) => cur[f].assign(L[f]));
    tilesX.rem.assign(s(L.w).add(s(L.p)).add(s(L.p)).resize(remBits));
    tilesY.rem.assign(s(L.h).add(s(L.p)).add(s(L.p)).resize(remBits));
    rowWords.rem.assign(s(L.w));
    divs.forEach((d) => d.q.assign(0));
    dividing.assign(1);
  });
  when(dividing, () => {
    for (const d of divs) {
      when(d.rem.gt(0), () => {
        d.rem.assign(d.rem.sub(T).resize(remBits));
        d.q.assign(d.q.addWrap(1));
      });
    }
    when(divs.map((d) => d.rem.le(T)).reduce((a, b) => a.and(b)), () => {
      dividing.assign(0);
      planning.assign(1);
    });
  });

  // ---- bands ----
  const strideBits = bitsFor(p.maxHeight * maxPitch);
  const ty = Reg(UInt(tilesY.q.width), { init: 0, name: "band" });
  const rowStart = Reg(UInt(bitsFor(p.maxHeight + T)), { init: 0, name: "row_start" }); // ty T - p + rowLo
  const firstWord = Reg(UInt(strideBits), { init: 0, name: "first_word" }); // rowStart x pitch
  const bandSent = Reg(Bool(), { init: 0 });
  const loadSent = Reg(Bool(), { init: 0 });
  const firstBand = ty.eq(0);
  const rowLo = mux(firstBand, cur.p, 0).resize(bitsFor(T));
  // rowHi = max(rowLo, min(T, h - (ty T - p))) = max(rowLo, min(T, h - rowStart + rowLo))
  const left = s(cur.h).sub(s(rowStart)).add(s(rowLo)).resize(remBits);
  const rowHi = mux(left.gt(T), constant(T, UInt(bitsFor(T))), mux(left.lt(s(rowLo)), rowLo, left.resize(bitsFor(T)).asUInt())).resize(bitsFor(T));
  const noRows = rowHi.eq(rowLo); // a band of padding only: nothing to load
  const lastBand = ty.addWrap(1).eq(tilesY.q);
  const ready = planning.and(dividing.not());

  band.valid.assign(ready.and(bandSent.not()));
  band.bits.c.assign(cur.c);
  band.bits.w.assign(cur.w);
  band.bits.rowWords.assign(rowWords.q);
  band.bits.p.assign(cur.p);
  band.bits.tilesX.assign(tilesX.q);
  band.bits.rowLo.assign(rowLo);
  band.bits.rowHi.assign(rowHi);
  band.bits.last.assign(lastBand);

  load.valid.assign(ready.and(loadSent.not()).and(noRows.not()));
  load.bits.addr.assign(cur.addr);
  load.bits.first.assign(firstWord);
  load.bits.c.assign(cur.c);
  load.bits.h.assign(rowHi.zext(load.bits.h.width).subWrap(rowLo.zext(load.bits.h.width)).resize(load.bits.h.width));
  load.bits.w.assign(cur.w);
  load.bits.pitch.assign(cur.pitch);
  load.bits.stride.assign(cur.h.mul(cur.pitch).resize(strideBits));

  const bandDone = bandSent.or(band.valid.and(band.ready));
  const loadDone = loadSent.or(noRows).or(load.valid.and(load.ready));
  when(ready, () => {
    bandSent.assign(bandDone);
    loadSent.assign(loadDone);
    when(bandDone.and(loadDone), () => {
      bandSent.assign(0);
      loadSent.assign(0);
      ty.assign(ty.addWrap(1));
      // the next band's first map row: T - p after the first band, T after the others
      const step = mux(firstBand, constant(T, UInt(bitsFor(T))).subWrap(cur.p.zext(bitsFor(T))), T).resize(bitsFor(T));
      rowStart.assign(rowStart.addWrap(step.zext(rowStart.width)));
      firstWord.assign(firstWord.addWrap(step.mul(cur.pitch).resize(strideBits)));
      when(lastBand, () => {
        planning.assign(0);
        ty.assign(0);
        rowStart.assign(0);
        firstWord.assign(0);
      });
    });
  });
  busy.assign(dividing.or(planning));
  return { layer, band, load, busy };
}, {
  moduleName: (p) => `BandPlanner_T${p.T}_c${p.maxChannels}_h${p.maxHeight}_w${p.maxWidth}_a${p.port.addrBits}`,
});
