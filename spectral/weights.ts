/**
 * The sparse spectral weight directory (SPEC2.md section 3), format version 1:
 *
 *   manifest.json   format/version, K, density, n, per layer shapes, fixed-point formats,
 *                   bias words, and per kernel [o][i] exactly n entries {index, re, im}
 *   <layer>.hex     the ROM image: one $readmemh word per line, kernels in order o, then i,
 *                   then entries in increasing index; word = {index, re, im} packed MSB first
 *                   as indexBits + 2 * weightBits bits (6 + 16 + 16 = 38 bits, 10 hex digits
 *                   for K = 8), re and im in two's complement.
 *
 * loadWeights() validates everything and names the offending field and kernel in errors.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkDensity, checkKernelFits, conjugatePartner, halfPlaneSize, keptPerKernel } from "./layout";
import { macShift, type FixedFormats, type FixedLayer, type SparseEntry } from "./fixed/layer";

export const WEIGHTS_FORMAT = "spec2-sparse-spectral-weights";
export const WEIGHTS_VERSION = 1;

export interface RomInfo {
  /** file name relative to the weights directory */
  readonly file: string;
  readonly indexBits: number;
  readonly valueBits: number;
  /** indexBits + 2 * valueBits */
  readonly wordBits: number;
  /** number of words = outChannels * inChannels * n */
  readonly words: number;
}

export interface ManifestLayer {
  readonly name: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly padding: number;
  readonly inputHeight: number;
  readonly inputWidth: number;
  readonly relu: boolean;
  /** stored entries per kernel (same for every kernel) */
  readonly n: number;
  readonly formats: FixedFormats & { readonly macShift: number };
  /** bias words, actBits wide, frac outFrac */
  readonly bias: readonly number[];
  readonly rom: RomInfo;
  /** kernels[o][i].entries: exactly n entries, increasing index */
  readonly kernels: readonly (readonly { readonly entries: readonly SparseEntry[] }[])[];
}

export interface Manifest {
  readonly format: string;
  readonly version: number;
  readonly K: number;
  /** "u*(K/2+1)+v" */
  readonly layout: string;
  readonly density: number;
  readonly n: number;
  readonly seed: number;
  readonly command: string;
  readonly layers: readonly ManifestLayer[];
}

export function indexBits(K: number): number {
  return Math.ceil(Math.log2(halfPlaneSize(K)));
}

/** Packs one entry as a hex word of ceil(wordBits/4) digits. */
export function packEntry(e: SparseEntry, iBits: number, vBits: number): string {
  const m = (1n << BigInt(vBits)) - 1n;
  const w = (BigInt(e.index) << BigInt(2 * vBits)) | ((BigInt(e.re) & m) << BigInt(vBits)) | (BigInt(e.im) & m);
  return w.toString(16).padStart(Math.ceil((iBits + 2 * vBits) / 4), "0");
}

export function unpackEntry(hex: string, iBits: number, vBits: number): SparseEntry {
  const w = BigInt(`0x${hex}`);
  const m = (1n << BigInt(vBits)) - 1n;
  const sx = (x: bigint): number => Number(x >= 1n << BigInt(vBits - 1) ? x - (1n << BigInt(vBits)) : x);
  return { index: Number(w >> BigInt(2 * vBits)), re: sx((w >> BigInt(vBits)) & m), im: sx(w & m) };
}

export function romText(layer: ManifestLayer): string {
  const lines: string[] = [];
  for (const row of layer.kernels) for (const k of row) for (const e of k.entries) lines.push(packEntry(e, layer.rom.indexBits, layer.rom.valueBits));
  return `${lines.join("\n")}\n`;
}

/** Writes manifest.json and the ROM files into `dir` (use inside replaceDirAtomic). */
export function writeWeights(dir: string, m: Manifest): void {
  for (const l of m.layers) writeFileSync(join(dir, l.rom.file), romText(l));
  writeFileSync(join(dir, "manifest.json"), `${JSON.stringify(m, null, 1)}\n`);
}

class Where {
  constructor(
    readonly file: string,
    readonly path: string,
  ) {}
  at(p: string | number): Where {
    return new Where(this.file, typeof p === "number" ? `${this.path}[${p}]` : this.path ? `${this.path}.${p}` : p);
  }
  err(msg: string): Error {
    return new Error(`${this.file}: ${this.path} ${msg}`);
  }
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function getInt(o: Record<string, unknown>, key: string, w: Where, min = -Infinity, max = Infinity): number {
  const v = o[key];
  const ww = w.at(key);
  if (v === undefined) throw ww.err("is missing");
  if (typeof v !== "number" || !Number.isInteger(v)) throw ww.err(`= ${JSON.stringify(v)} is not an integer`);
  if (v < min || v > max) throw ww.err(`= ${v} is outside [${min}, ${max}]`);
  return v;
}

function getArr(o: Record<string, unknown>, key: string, w: Where, len?: number): unknown[] {
  const v = o[key];
  const ww = w.at(key);
  if (!Array.isArray(v)) throw ww.err(v === undefined ? "is missing" : "is not an array");
  if (len !== undefined && v.length !== len) throw ww.err(`has ${v.length} elements, expected ${len}`);
  return v;
}

/** Validates a parsed manifest object (file name used in messages). */
export function validateManifest(raw: unknown, file: string): Manifest {
  const root = new Where(file, "");
  if (!isObj(raw)) throw root.err("is not a JSON object");
  const w = (k: string): Where => root.at(k);
  if (raw.format !== WEIGHTS_FORMAT) throw w("format").err(`= ${JSON.stringify(raw.format)}, expected "${WEIGHTS_FORMAT}"`);
  if (raw.version !== WEIGHTS_VERSION) throw w("version").err(`= ${JSON.stringify(raw.version)}, this loader reads version ${WEIGHTS_VERSION}`);
  const K = getInt(raw, "K", root, 2);
  if ((K & (K - 1)) !== 0) throw w("K").err(`= ${K} is not a power of two`);
  const L = halfPlaneSize(K);
  const density = raw.density;
  if (typeof density !== "number") throw w("density").err("is missing or not a number");
  try {
    checkDensity(density);
  } catch (e) {
    throw w("density").err(`= ${density} is outside (0, 1]`);
  }
  const n = getInt(raw, "n", root, 1, L);
  if (n !== keptPerKernel(K, density)) throw w("n").err(`= ${n}, expected round(density * ${L}) = ${keptPerKernel(K, density)}`);
  const layers = getArr(raw, "layers", root);
  if (layers.length === 0) throw w("layers").err("is empty");
  layers.forEach((lr, li) => {
    const lw = w("layers").at(li);
    if (!isObj(lr)) throw lw.err("is not an object");
    if (typeof lr.name !== "string") throw lw.at("name").err("is missing or not a string");
    const cin = getInt(lr, "inChannels", lw, 1, 65535);
    const cout = getInt(lr, "outChannels", lw, 1);
    const k = getInt(lr, "kernelSize", lw, 1);
    getInt(lr, "padding", lw, 0);
    getInt(lr, "inputHeight", lw, 1);
    getInt(lr, "inputWidth", lw, 1);
    try {
      checkKernelFits(K, k);
    } catch (e) {
      throw lw.at("kernelSize").err(`= ${k}: ${(e as Error).message}`);
    }
    if (typeof lr.relu !== "boolean") throw lw.at("relu").err("is missing or not a boolean");
    const ln = getInt(lr, "n", lw, 1, L);
    if (ln !== n) throw lw.at("n").err(`= ${ln} differs from the manifest's n = ${n}`);
    const fw = lw.at("formats");
    const f = lr.formats;
    if (!isObj(f)) throw fw.err("is missing or not an object");
    const actBits = getInt(f, "actBits", fw, 2, 32);
    getInt(f, "inFrac", fw, -64, 64);
    getInt(f, "outFrac", fw, -64, 64);
    const weightBits = getInt(f, "weightBits", fw, 2, 32);
    getInt(f, "weightFrac", fw, -64, 64);
    getInt(f, "twiddleFrac", fw, 1, 30);
    getInt(f, "fftBits", fw, 2, 32);
    getInt(f, "ifftBits", fw, 2, 40);
    getInt(f, "accBits", fw, 2, 52);
    const ms = getInt(f, "macShift", fw, -64, 64);
    if (ms !== macShift(K, f as unknown as FixedFormats)) throw fw.at("macShift").err(`= ${ms}, expected inFrac + weightFrac - 2 log2 K - outFrac = ${macShift(K, f as unknown as FixedFormats)}`);
    const bias = getArr(lr, "bias", lw, cout);
    bias.forEach((b, o) => {
      if (typeof b !== "number" || !Number.isInteger(b) || b < -(2 ** (actBits - 1)) || b >= 2 ** (actBits - 1)) throw lw.at("bias").at(o).err(`= ${JSON.stringify(b)} is not a ${actBits}-bit signed integer`);
    });
    const rw = lw.at("rom");
    const rom = lr.rom;
    if (!isObj(rom)) throw rw.err("is missing or not an object");
    if (typeof rom.file !== "string" || rom.file.includes("/") || rom.file.includes("\\")) throw rw.at("file").err("is missing or not a plain file name");
    const ib = getInt(rom, "indexBits", rw, 1, 32);
    if (ib !== indexBits(K)) throw rw.at("indexBits").err(`= ${ib}, expected ceil(log2(${L})) = ${indexBits(K)}`);
    const vb = getInt(rom, "valueBits", rw, 2, 32);
    if (vb !== weightBits) throw rw.at("valueBits").err(`= ${vb} differs from formats.weightBits = ${weightBits}`);
    const wb = getInt(rom, "wordBits", rw, 1);
    if (wb !== ib + 2 * vb) throw rw.at("wordBits").err(`= ${wb}, expected ${ib + 2 * vb}`);
    const words = getInt(rom, "words", rw, 1);
    if (words !== cout * cin * n) throw rw.at("words").err(`= ${words}, expected ${cout * cin * n}`);
    const kernels = getArr(lr, "kernels", lw, cout);
    kernels.forEach((row, o) => {
      const ow = lw.at("kernels").at(o);
      if (!Array.isArray(row)) throw ow.err("is not an array");
      if (row.length !== cin) throw ow.err(`has ${row.length} kernels, expected inChannels = ${cin}`);
      row.forEach((kk: unknown, i: number) => {
        const kw = ow.at(i);
        if (!isObj(kk)) throw kw.err("is not an object");
        const ents = getArr(kk, "entries", kw);
        if (ents.length !== n) throw kw.at("entries").err(`has ${ents.length} entries, expected exactly n = ${n}`);
        const byIndex = new Map<number, SparseEntry>();
        let prev = -1;
        ents.forEach((e, j) => {
          const ew = kw.at("entries").at(j);
          if (!isObj(e)) throw ew.err("is not an object");
          const index = e.index;
          if (typeof index !== "number" || !Number.isInteger(index)) throw ew.at("index").err(`= ${JSON.stringify(index)} is not an integer`);
          if (index < 0 || index >= L) throw ew.at("index").err(`= ${index} is outside the ${L}-entry half plane`);
          if (index <= prev) throw ew.at("index").err(`= ${index} is not greater than the previous index ${prev} (entries must be sorted, no duplicates)`);
          prev = index;
          for (const c of ["re", "im"] as const) {
            const v = e[c];
            if (typeof v !== "number" || !Number.isInteger(v) || v < -(2 ** (weightBits - 1)) || v >= 2 ** (weightBits - 1)) throw ew.at(c).err(`= ${JSON.stringify(v)} is not a ${weightBits}-bit signed integer`);
          }
          byIndex.set(index, e as unknown as SparseEntry);
        });
        ents.forEach((e, j) => {
          const ew = kw.at("entries").at(j);
          const en = e as SparseEntry;
          const p = conjugatePartner(K, en.index);
          if (p === en.index && en.im !== 0) throw ew.at("im").err(`= ${en.im} but entry ${en.index} is self-conjugate (must be real)`);
          if (p >= 0 && p !== en.index) {
            const q = byIndex.get(p);
            if (!q) throw ew.at("index").err(`= ${en.index} is kept without its conjugate partner ${p}`);
            if (q.re !== en.re || q.im !== -en.im) throw ew.err(`= (${en.re}, ${en.im}) is not the conjugate of entry index ${p} = (${q.re}, ${q.im})`);
          }
        });
      });
    });
  });
  return raw as unknown as Manifest;
}

/** Reads and validates a weights directory: manifest.json and every ROM file. */
export function loadWeights(dir: string): Manifest {
  const file = join(dir, "manifest.json");
  if (!existsSync(dir)) throw new Error(`${dir}: weights directory does not exist`);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`${file}: cannot read (${(e as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const m = validateManifest(raw, file);
  m.layers.forEach((l, li) => {
    const rf = join(dir, l.rom.file);
    let rt: string;
    try {
      rt = readFileSync(rf, "utf8");
    } catch (e) {
      throw new Error(`${rf}: cannot read ROM of layers[${li}] (${(e as Error).message})`);
    }
    const lines = rt.split("\n").filter((s) => s.trim() !== "");
    if (lines.length !== l.rom.words) throw new Error(`${rf}: ${lines.length} words, expected layers[${li}].rom.words = ${l.rom.words}`);
    const digits = Math.ceil(l.rom.wordBits / 4);
    let q = 0;
    l.kernels.forEach((row, o) =>
      row.forEach((k, i) =>
        k.entries.forEach((e, j) => {
          const line = lines[q]!.trim();
          if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(line)) throw new Error(`${rf}: line ${q + 1} = "${line}" is not a ${digits}-digit hex word`);
          const d = unpackEntry(line, l.rom.indexBits, l.rom.valueBits);
          if (d.index !== e.index || d.re !== e.re || d.im !== e.im)
            throw new Error(`${rf}: line ${q + 1} = {index ${d.index}, re ${d.re}, im ${d.im}} differs from layers[${li}].kernels[${o}][${i}].entries[${j}] = {index ${e.index}, re ${e.re}, im ${e.im}}`);
          q++;
        }),
      ),
    );
  });
  return m;
}

/** The golden-model layer of a manifest layer. */
export function fixedLayerOf(m: Manifest, li: number): FixedLayer {
  const l = m.layers[li]!;
  const { macShift: _ms, ...formats } = l.formats;
  void _ms;
  return {
    cin: l.inChannels,
    cout: l.outChannels,
    h: l.inputHeight,
    w: l.inputWidth,
    k: l.kernelSize,
    p: l.padding,
    K: m.K,
    relu: l.relu,
    formats,
    kernels: l.kernels.flatMap((row) => row.map((k) => k.entries)),
    bias: l.bias,
  };
}
