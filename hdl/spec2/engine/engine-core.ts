/**
 * EngineCore: the SPEC2 engine's datapath for one build, running one layer after another from
 * external memory, each layer given at run time by a command (engine-command.ts):
 *
 *   memory -> MapLoader -> BandTiler -> FFT lane -> PeArray (streamed weights) -> IFFT
 *          -> BandOverlapAdd -> PoolStage -> GroupPacker -> group FIFO -> MapWriter -> memory
 *   BandPlanner turns the layer into the loader's and the tiler's band commands; WeightLoader
 *   reads the layer's weight image into the array's weight buffer; the biases come from memory
 *   into the overlap-add's bias bank. The FFT lane is Spec2Layer's (../fft-lane.ts).
 *
 * Compile time: the template layer's K, k (so T) and formats (fraction bits, so the array's
 * shift, unless `macShifts` gives a range chosen per layer), so one kernel size per build; the PE grid pOut x pIn, one FFT and one IFFT lane, the
 * limits maxCin, maxCout, maxHeight, maxWidth (of the input and of the output map: engineCommand
 * rejects a layer whose output is larger), maxDepth (weight rows of a layer), tileBits, the
 * memory port. Run time (the command): every shape, address, ReLU and
 * pooling; the weights and biases.
 *
 * Ports
 *   cmd (Decoupled, in): a layer (`engineCommandType`, made by `engineCommand`); taken when idle.
 *   port (BurstPort, out): the external memory, reads and writes.
 *   done (out): one clock when the layer's output map is written (every burst acknowledged).
 *   busy (out): a layer taken and not done.
 *   overrun (out): latches if the overlap-add fell behind or the group FIFO overflowed (never
 *     under the pacing rule below; the tests assert it).
 *
 * A layer runs in phases on the read port, one reader at a time so that no read is in flight
 * when the port changes hands: the biases (cout beats, bias o in the low actBits bits of beat o;
 * written into the overlap-add's next bias bank), then the weight image (all rows into a free
 * bank of the array's weight buffer), then the input map band by band. The overlap-add's command
 * follows the biases; the writer's command is given at once. The next layer is taken after
 * `done`, so it may read the previous layer's output.
 *
 * Batches (builds with maxBatch > 1): a command of `images` images reads its weights once and
 * keeps them in the array's bank for all its tiles (`tiles` counts every image's); after an
 * image's map is read (the planner and loader idle) and the overlap-add has taken its command,
 * the next image's biases are read into the overlap-add's other bias bank and its map follows,
 * so the images' bands run back to back through the tiler, the array and the overlap-add (one
 * fill and one tail a command); the writer takes one command per image, each image's output at
 * outAddr + i outStride. `done` follows the last image's output.
 *
 * Pacing rule (the overlap-add has no back-pressure): the PE array's output (the IFFT's input)
 * holds the first block of a band until (1) `bandGap` clocks have passed since the previous
 * band's last block was taken, at least that band's emission plus the latencies, so the emission
 * ends before this band's last beat (BandOverlapAdd's condition), and (2) the group FIFO before
 * the MapWriter has room for a whole band's groups (`bandGroups`), so a slow memory never loses
 * a group. The FIFO holds a band at the limits (maxCout T ceil(maxWidth / K) groups, rounded up to
 * a power of two): small at the test's limits (4 x 6 x 3 = 72 groups), but at the VGG16 class
 * (512 channels, 224 wide) 86,016 groups of K + 1 words, too large for a device; there the FIFO
 * is to be sized to what the memory's write rate leaves behind, or MapWriter's back-pressure
 * carried to the overlap-add's emission.
 */
import { Bool, Decoupled, Input, Output, Reg, RegNext, UInt, connect, constant, defineModule, mux, when, type Signal, type Var } from "../../core";
import { BurstPort, BurstReader, maxBurstBeats, queue } from "../../lib";
import { bitsFor, checkParams, isIntIn } from "../generator-params";
import { fftLane } from "../fft-lane";
import { Ifft2d } from "../ifft2d";
import { PeArray, peArrayParams, peArrayWeightRow } from "../pe-array";
import { withDigest } from "../schedule";
import { BandOverlapAdd, groupParams } from "./band-overlap-add";
import { BandPlanner } from "./band-planner";
import { BandTiler } from "./band-tiler";
import { batched, engineCommandFields, engineCommandType, engineSizes, type EngineCoreParams } from "./engine-command";
import { MapLoader } from "./map-loader";
import { MapWriter } from "./map-writer";
import { GroupPacker } from "./group-packer";
import { PoolStage, outputGroupType } from "./pool-stage";
import { WeightLoader } from "./weight-loader";

export type { EngineCoreParams } from "./engine-command";

/** Bursts the weight and map readers keep in flight (their buffers, in bursts). */
export const READ_BUFFER_BURSTS = 4;

/** The read phases of a layer. */
const BIAS = 0;
const WEIGHTS = 1;
const MAP = 2;

export const EngineCore = defineModule(
  "EngineCore",
  (p: EngineCoreParams) => {
    const s = engineSizes(p);
    const { K, T } = s;
    const f = p.layer.formats;
    checkParams([
      [f.actBits === 16, `the template layer's actBits must be 16 (memory words of 16 bits), got ${f.actBits}`],
      [isIntIn(s.wordsPerBeat, K, 1 << 16) && s.wordsPerBeat % K === 0, `a memory beat (${p.port.dataBytes} bytes) must hold a multiple of K = ${K} words of 16 bits`],
      [isIntIn(s.loadWords, 1, T), `loadWords = ${s.loadWords} must be an integer in 1..T = ${T}`],
    ]);
    const cmd = Input(Decoupled(engineCommandType(p)));
    const port = Output(BurstPort(p.port));
    const done = Output(Bool());
    const busy = Output(Bool());
    const overrun = Output(Bool());

    // ---- the layer: its command, the read phase, the sub-commands not yet given ----
    const L = Reg(engineCommandType(p), { init: 0, name: "layer" });
    const running = Reg(Bool(), { init: 0 });
    const phase = Reg(UInt(2), { init: BIAS });
    const pending = (name: string) => Reg(Bool(), { init: 0, name: `${name}_pending` });
    const biasCmd = pending("bias_cmd");
    const oaaCmd = pending("oaa_cmd");
    const weightCmd = pending("weight_cmd");
    const planCmd = pending("plan_cmd");
    const writeCmd = pending("write_cmd");
    const weightsTaken = Reg(Bool(), { init: 0 });
    const writing = Reg(Bool(), { init: 0 });
    const biasCount = Reg(UInt(L.cout.width), { init: 0 });
    // the batch: the image being read (its map's address) and the next map to be written
    const batch = batchFields(p, L);
    const imageBits = bitsFor(p.maxBatch ?? 1);
    const readImage = Reg(UInt(imageBits), { init: 0, name: "read_image" });
    const writeImage = Reg(UInt(imageBits), { init: 0, name: "write_image" });
    const inAddr = Reg(UInt(p.port.addrBits), { init: 0, name: "image_in_addr" });
    const outAddr = Reg(UInt(p.port.addrBits), { init: 0, name: "image_out_addr" });
    cmd.ready.assign(running.not());
    when(cmd.valid.and(running.not()), () => {
      for (const k of engineCommandFields(p)) (L as unknown as Record<string, Var>)[k]!.assign((cmd.bits as unknown as Record<string, Var>)[k]!);
      running.assign(1);
      phase.assign(BIAS);
      for (const r of [biasCmd, oaaCmd, weightCmd, planCmd, writeCmd]) r.assign(1);
      biasCount.assign(0);
      readImage.assign(0);
      writeImage.assign(0);
      inAddr.assign(cmd.bits.inAddr);
      outAddr.assign(cmd.bits.outAddr);
    });
    busy.assign(running);

    // ---- the read port: the phase's reader only ----
    const biasCountBits = bitsFor(Math.max(p.maxCout, maxBurstBeats(p.port))); // room for one whole burst
    const biasReader = BurstReader.instance({ port: p.port, countBits: biasCountBits }, { name: "bias_reader" });
    const weightRow = peArrayWeightRow(engineArrayParams(p))!;
    // four bursts in flight: a read latency of up to about three bursts' beats is hidden at a beat a clock
    const bufferBeats = READ_BUFFER_BURSTS * maxBurstBeats(p.port);
    const weightLoader = WeightLoader.instance({ port: p.port, row: weightRow.shape, maxDepth: p.maxDepth, tileBits: p.tileBits, bufferBeats });
    const limits = { maxChannels: p.maxCin, maxHeight: p.maxHeight, maxWidth: p.maxWidth };
    const mapLoader = MapLoader.instance({ port: p.port, loadWords: s.loadWords, ...limits, bufferBeats });
    const readers = [biasReader, weightLoader, mapLoader];
    port.ar.valid.assign(readers.map((r, i) => r.ar.valid.and(phase.eq(i))).reduce((a, b) => a.or(b)));
    port.ar.bits.addr.assign(mux(phase.eq(BIAS), biasReader.ar.bits.addr, mux(phase.eq(WEIGHTS), weightLoader.ar.bits.addr, mapLoader.ar.bits.addr)));
    port.ar.bits.len.assign(mux(phase.eq(BIAS), biasReader.ar.bits.len, mux(phase.eq(WEIGHTS), weightLoader.ar.bits.len, mapLoader.ar.bits.len)));
    port.r.ready.assign(readers.map((r, i) => r.r.ready.and(phase.eq(i))).reduce((a, b) => a.or(b)));
    readers.forEach((r, i) => {
      r.ar.ready.assign(port.ar.ready.and(phase.eq(i)));
      r.r.valid.assign(port.r.valid.and(phase.eq(i)));
      connect(r.r.bits, port.r.bits);
    });

    // ---- biases: cout beats into the overlap-add's bias bank, then its command ----
    const oaa = BandOverlapAdd.instance(s.oaa);
    biasReader.cmd.valid.assign(biasCmd);
    biasReader.cmd.bits.addr.assign(L.biasAddr);
    biasReader.cmd.bits.beats.assign(L.cout.resize(biasCountBits));
    when(biasReader.cmd.valid.and(biasReader.cmd.ready), () => biasCmd.assign(0));
    oaa.bias.valid.assign(biasReader.out.valid);
    oaa.bias.bits.addr.assign(biasCount.resize(oaa.bias.bits.addr.width));
    oaa.bias.bits.data.assign(biasReader.out.bits.bits(f.actBits - 1, 0).asSInt());
    biasReader.out.ready.assign(oaa.bias.ready);
    const biasesIn = running.and(biasCmd.not()).and(biasCount.eq(L.cout));
    when(biasReader.out.valid.and(oaa.bias.ready), () => biasCount.assign(biasCount.addWrap(1)));
    // the first image's biases are followed by the weights, a later image's by its map
    when(phase.eq(BIAS).and(biasesIn), () => phase.assign(mux(readImage.eq(0), constant(WEIGHTS, UInt(2)), constant(MAP, UInt(2)))));
    oaa.cmd.valid.assign(oaaCmd.and(biasesIn));
    const oc = oaa.cmd.bits;
    oc.channels.assign(L.cout);
    for (const [to, from] of [["tilesX", "oTilesX"], ["tilesY", "oTilesY"], ["segments", "segments"], ["wo", "wo"], ["ho", "ho"], ["relu", "relu"], ["pool", "pool"]] as const) oc[to].assign(L[from]);
    when(oaa.cmd.valid.and(oaa.cmd.ready), () => oaaCmd.assign(0));

    // ---- weights: the image into the array's free bank ----
    const pe = PeArray.instance(engineArrayParams(p));
    weightLoader.cmd.valid.assign(weightCmd.and(phase.eq(WEIGHTS)));
    const wc = weightLoader.cmd.bits as unknown as Record<"addr" | "rows" | "tiles" | "cin" | "cout", Var>;
    wc.addr.assign(L.wAddr);
    wc.rows.assign(L.wRows);
    wc.tiles.assign(L.tiles);
    wc.cin.assign(L.cin.resize(wc.cin.width));
    wc.cout.assign(L.cout.resize(wc.cout.width));
    when(weightLoader.cmd.valid.and(weightLoader.cmd.ready), () => {
      weightCmd.assign(0);
      weightsTaken.assign(1);
    });
    when(phase.eq(WEIGHTS).and(weightsTaken).and(weightLoader.busy.not()), () => {
      phase.assign(MAP);
      weightsTaken.assign(0);
    });
    const weights = (pe as unknown as { weights: typeof weightLoader.rows }).weights;
    connect(weights, weightLoader.rows);
    // the layer's shift, held in L while its tiles drain (the next layer is taken after done)
    if (p.macShifts) (pe as unknown as { macShift: Var }).macShift.assign((L as unknown as { macShift: Var }).macShift);

    // ---- input: planner -> loader -> tiler -> FFT lane -> array ----
    const planner = BandPlanner.instance({ T, port: p.port, ...limits, wordsPerBeat: s.wordsPerBeat });
    const tiler = BandTiler.instance({ T, actBits: f.actBits, maxChannels: p.maxCin, maxWidth: p.maxWidth, loadWords: s.loadWords, ...(p.bandCapacity ? { capacity: p.bandCapacity } : {}) });
    planner.layer.valid.assign(planCmd.and(phase.eq(MAP)));
    const pl = planner.layer.bits;
    pl.addr.assign(inAddr);
    pl.c.assign(L.cin);
    pl.h.assign(L.h);
    pl.w.assign(L.w);
    pl.pitch.assign(L.inPitch);
    pl.p.assign(L.pad);
    when(planner.layer.valid.and(planner.layer.ready), () => planCmd.assign(0));
    connect(tiler.band, planner.band);
    connect(mapLoader.cmd, planner.load);
    tiler.load.valid.assign(mapLoader.out.valid);
    mapLoader.out.ready.assign(tiler.load.ready);
    for (let i = 0; i < s.loadWords; i++) tiler.load.data.at(i).assign(mapLoader.out.bits.data.at(i));
    fftLane({ K, T, fftBits: f.fftBits, twiddleFrac: f.twiddleFrac }, tiler.out, pe.x.at(0), 0);
    // an image's map read (every band planned and loaded): the next image's biases, then its map,
    // once the overlap-add has taken this image's command (its bias bank is then the next one)
    const mapRead = phase.eq(MAP).and(planCmd.not()).and(planner.busy.not()).and(mapLoader.busy.not());
    when(mapRead.and(oaaCmd.not()).and(readImage.add(1).lt(batch.images)), () => {
      readImage.assign(readImage.addWrap(1));
      inAddr.assign(inAddr.addWrap(batch.inStride));
      phase.assign(BIAS);
      for (const r of [biasCmd, oaaCmd, planCmd]) r.assign(1);
      biasCount.assign(0);
    });

    // ---- array -> IFFT, paced by band ----
    const ifft = Ifft2d.instance({ K, dataBits: f.ifftBits, twiddleFrac: f.twiddleFrac }, { name: "ifft0" });
    const groups = queue({ type: outputGroupType(groupParams(s.oaa)), depth: s.groupDepth }, { name: "groups" });
    const y = pe.y.at(0);
    const inBlock = Reg(Bool(), { init: 0, name: "in_block" });
    const bandBlock = Reg(UInt(L.bandBlocks.width), { init: 0, name: "band_block" });
    const gap = Reg(UInt(L.bandGap.width), { init: 0, name: "band_gap" });
    const room = groups.count.zext(L.bandGroups.width + 1).add(L.bandGroups).le(s.groupDepth);
    const hold = inBlock.not().and(bandBlock.eq(0)).and(gap.neq(0).or(room.not()));
    ifft.inValid.assign(y.valid.and(hold.not()));
    y.ready.assign(ifft.inReady.and(hold.not()));
    for (let u = 0; u < K; u++) {
      ifft.inCol.at(u).re.assign(y.bits.col.at(u).re);
      ifft.inCol.at(u).im.assign(y.bits.col.at(u).im);
    }
    const bandEnd = bandBlock.add(1).eq(L.bandBlocks);
    const taken = y.valid.and(y.ready);
    when(gap.neq(0), () => gap.assign(gap.subWrap(1)));
    when(taken, () => {
      inBlock.assign(y.bits.last.not());
      when(y.bits.last, () => {
        bandBlock.assign(mux(bandEnd, 0, bandBlock.addWrap(1)));
        when(bandEnd, () => gap.assign(L.bandGap));
      });
    });

    // ---- output: overlap-add -> pooling -> FIFO -> writer ----
    oaa.in.valid.assign(ifft.outValid);
    for (let h = 0; h < 2; h++) for (let c = 0; c < K; c++) oaa.in.rows.at(h).at(c).assign(ifft.outRows.at(h).at(c));
    const pooling = PoolStage.instance(groupParams(s.oaa));
    connect(pooling.in, oaa.out);
    pooling.pool.assign(oaa.pool);
    // pooled groups (K/2 words) merged into the writer's K-word groups
    const packer = GroupPacker.instance(groupParams(s.oaa));
    connect(packer.in, pooling.out);
    packer.pool.assign(RegNext(oaa.pool, { init: 0 }));
    const poolWidth = mux(L.pool, L.wo.shr(1), L.wo).resize(packer.width.width);
    packer.width.assign(poolWidth);
    groups.enq.valid.assign(packer.out.valid);
    connect(groups.enq.bits, packer.out.bits);
    const lost = Reg(Bool(), { init: 0, name: "groups_lost" });
    when(packer.out.valid.and(groups.enq.ready.not()), () => lost.assign(1));
    overrun.assign(lost.or(oaa.overrun));
    const writer = MapWriter.instance({ port: p.port, K, maxChannels: p.maxCout, maxHeight: p.maxHeight, maxWidth: p.maxWidth });
    connect(writer.in, groups.deq);
    writer.cmd.valid.assign(writeCmd);
    const wr = writer.cmd.bits;
    wr.addr.assign(outAddr);
    wr.c.assign(L.cout.resize(wr.c.width));
    wr.ho.assign(mux(L.pool, L.ho.shr(1), L.ho).resize(wr.ho.width));
    wr.wo.assign(mux(L.pool, L.wo.shr(1), L.wo).resize(wr.wo.width));
    wr.pitch.assign(L.outPitch.resize(wr.pitch.width));
    wr.firstRows.assign(L.firstRows.resize(wr.firstRows.width));
    wr.bandRows.assign(mux(L.pool, constant(T / 2, UInt(wr.bandRows.width)), constant(T, UInt(wr.bandRows.width))));
    when(writer.cmd.valid.and(writer.cmd.ready), () => {
      const lastImage = writeImage.add(1).ge(batch.images);
      writeCmd.assign(lastImage.not());
      writeImage.assign(writeImage.addWrap(1));
      outAddr.assign(outAddr.addWrap(batch.outStride));
      writing.assign(1);
    });
    connect(port.aw, writer.aw);
    connect(port.w, writer.w);
    connect(writer.b, port.b);

    // ---- done: the writer has every burst of the last image's map acknowledged ----
    const finished: Signal = writing.and(writer.busy.not()).and(writeCmd.not());
    done.assign(finished);
    when(finished, () => {
      writing.assign(0);
      running.assign(0);
    });
    return { cmd, port, done, busy, overrun };
  },
  { moduleName: (p) => `EngineCore_K${p.layer.K}k${p.layer.k}_P${p.pOut}x${p.pIn}_c${p.maxCin}x${p.maxCout}_${p.maxHeight}x${p.maxWidth}${p.macShifts ? `_s${p.macShifts.min}to${p.macShifts.max}`.replace(/-/g, "m") : ""}${batched(p) ? `_b${p.maxBatch}` : ""}` },
);

/** The command's batch: images and strides, constants (one image) on a build without batches. */
function batchFields(p: EngineCoreParams, L: Record<string, unknown>): { images: Signal; inStride: Signal; outStride: Signal } {
  if (!batched(p)) return { images: constant(1, UInt(1)), inStride: constant(0, UInt(p.port.addrBits)), outStride: constant(0, UInt(p.port.addrBits)) };
  const b = L as { images: Signal; inStride: Signal; outStride: Signal };
  return { images: b.images, inStride: b.inStride, outStride: b.outStride };
}

/** The PE array of a build (streamed weights, the template layer's formats and K): the host packs weight images for it (`peArrayCapacity(...).oBits`). */
export function engineArrayParams(p: EngineCoreParams) {
  const l = p.layer;
  const layer = withDigest(l, { cin: l.cin, cout: l.cout, h: l.h, w: l.w, k: l.k, p: l.p, K: l.K, formats: l.formats });
  return peArrayParams(layer, p.pOut, p.pIn, { weights: { maxDepth: p.maxDepth, tileBits: p.tileBits, maxCin: p.maxCin, maxCout: p.maxCout, ...(p.macShifts ? { macShifts: p.macShifts } : {}) } });
}
