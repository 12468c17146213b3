/**
 * Hand-written SVG plots for bench/vgg16-dse.ts: per-layer bars and the DSE Pareto fronts (and
 * the helpers bench/lib/vgg16-engine-svg.ts shares).
 */
import type { DseCandidate, DsePoint } from "./dse";
import type { NetworkPerf } from "./model";

/** Text escaped for SVG. */
export const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The axis maximum: v rounded up to 1, 2, 2.5 or 5 times a power of ten. */
export function niceMax(v: number): number {
  const e = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * e >= v) return m * e;
  return 10 * e;
}

/** Per-layer compute and memory time (ms per image, bars) and equivalent TOP/s (dots). */
export function layersSvg(net: NetworkPerf, title: string): string {
  const W = 900;
  const H = 420;
  const L = 70;
  const R = 70;
  const Tp = 50;
  const B = 80;
  const n = net.layers.length;
  const bw = (W - L - R) / n;
  const tms = (l: (typeof net.layers)[number]): { c: number; m: number } => ({ c: (l.computeS / l.batch) * 1e3, m: (l.memoryS / l.batch) * 1e3 });
  const yMax = niceMax(Math.max(...net.layers.map((l) => Math.max(tms(l).c, tms(l).m))));
  const opsMax = niceMax(Math.max(...net.layers.map((l) => l.eqOpsPerS)) / 1e12);
  const y = (v: number): number => Tp + (H - Tp - B) * (1 - v / yMax);
  const y2 = (v: number): number => Tp + (H - Tp - B) * (1 - v / opsMax);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const v = (yMax * i) / 5;
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${L - 5}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(2)}</text>`);
    parts.push(`<text x="${W - R + 5}" y="${y2((opsMax * i) / 5) + 4}">${((opsMax * i) / 5).toFixed(1)}</text>`);
  }
  parts.push(`<text x="15" y="${(H - B + Tp) / 2}" transform="rotate(-90 15 ${(H - B + Tp) / 2})" text-anchor="middle">ms per image</text>`);
  parts.push(`<text x="${W - 15}" y="${(H - B + Tp) / 2}" transform="rotate(90 ${W - 15} ${(H - B + Tp) / 2})" text-anchor="middle">equivalent TOP/s</text>`);
  net.layers.forEach((l, i) => {
    const x0 = L + i * bw;
    const { c, m } = tms(l);
    parts.push(`<rect x="${x0 + bw * 0.12}" y="${y(c)}" width="${bw * 0.36}" height="${y(0) - y(c)}" fill="#4477aa"><title>${esc(`${l.layer.name}: compute ${c.toFixed(3)} ms`)}</title></rect>`);
    parts.push(`<rect x="${x0 + bw * 0.5}" y="${y(m)}" width="${bw * 0.36}" height="${y(0) - y(m)}" fill="#ee8866"><title>${esc(`${l.layer.name}: DRAM ${m.toFixed(3)} ms`)}</title></rect>`);
    const cy = y2(l.eqOpsPerS / 1e12);
    parts.push(`<circle cx="${x0 + bw / 2}" cy="${cy}" r="4" fill="#228833"><title>${esc(`${l.layer.name}: ${(l.eqOpsPerS / 1e12).toFixed(2)} TOP/s (${l.bound}-bound)`)}</title></circle>`);
    parts.push(`<text x="${x0 + bw / 2}" y="${H - B + 15}" text-anchor="end" transform="rotate(-45 ${x0 + bw / 2} ${H - B + 15})">${esc(l.layer.name)}</text>`);
    parts.push(`<text x="${x0 + bw / 2}" y="${y(Math.max(c, m)) - 4}" text-anchor="middle" font-size="9">${l.bound === "compute" ? "C" : "BW"}</text>`);
  });
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(0)}" y2="${y(0)}" stroke="black"/>`);
  const ly = H - 18;
  parts.push(`<rect x="${L}" y="${ly - 9}" width="10" height="10" fill="#4477aa"/><text x="${L + 14}" y="${ly}">compute time</text>`);
  parts.push(`<rect x="${L + 110}" y="${ly - 9}" width="10" height="10" fill="#ee8866"/><text x="${L + 124}" y="${ly}">DRAM time</text>`);
  parts.push(`<circle cx="${L + 215}" cy="${ly - 4}" r="4" fill="#228833"/><text x="${L + 224}" y="${ly}">equivalent TOP/s (right axis); C = compute-bound, BW = bandwidth-bound</text>`);
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

/** Throughput vs LUT and vs DSP: all fitting points (grey, subsampled) and the Pareto fronts. */
export function paretoSvg(points: readonly DseCandidate[], fronts: { lut: readonly DsePoint[]; dsp: readonly DsePoint[] }, budget: { lut: number; dsp: number }, title: string): string {
  const W = 940;
  const H = 400;
  const pw = 380;
  const ph = 280;
  const fitting = points.filter((p): p is DsePoint & { fits: true } => p.fits);
  const step = Math.max(1, Math.floor(fitting.length / 500));
  const sample = fitting.filter((_, i) => i % step === 0);
  const yMax = niceMax(Math.max(...fitting.map((p) => p.perf.eqOpsPerS / 1e12), 0.001));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`);
  const panel = (x0: number, res: "lut" | "dsp", label: string, max: number, front: readonly DsePoint[]): void => {
    const y0 = 50;
    const xs = (v: number): number => x0 + (pw * v) / max;
    const ys = (v: number): number => y0 + ph * (1 - v / yMax);
    parts.push(`<rect x="${x0}" y="${y0}" width="${pw}" height="${ph}" fill="none" stroke="black"/>`);
    for (let i = 0; i <= 4; i++) {
      parts.push(`<text x="${xs((max * i) / 4)}" y="${y0 + ph + 15}" text-anchor="middle">${Math.round((max * i) / 4).toLocaleString("en-US")}</text>`);
      parts.push(`<text x="${x0 - 5}" y="${ys((yMax * i) / 4) + 4}" text-anchor="end">${((yMax * i) / 4).toFixed(1)}</text>`);
      parts.push(`<line x1="${x0}" x2="${x0 + pw}" y1="${ys((yMax * i) / 4)}" y2="${ys((yMax * i) / 4)}" stroke="#eee"/>`);
    }
    parts.push(`<text x="${x0 + pw / 2}" y="${y0 + ph + 32}" text-anchor="middle">${esc(label)} (budget ${max.toLocaleString("en-US")})</text>`);
    parts.push(`<text x="${x0 - 40}" y="${y0 + ph / 2}" transform="rotate(-90 ${x0 - 40} ${y0 + ph / 2})" text-anchor="middle">equivalent TOP/s per image</text>`);
    for (const p of sample) parts.push(`<circle cx="${xs(p.usage.total[res]).toFixed(1)}" cy="${ys(p.perf.eqOpsPerS / 1e12).toFixed(1)}" r="1.5" fill="${p.config.K === 8 ? "#bbbbbb" : "#ccddee"}"/>`);
    const pts = front.map((p) => `${xs(p.usage.total[res]).toFixed(1)},${ys(p.perf.eqOpsPerS / 1e12).toFixed(1)}`).join(" ");
    parts.push(`<polyline points="${pts}" fill="none" stroke="#cc3311" stroke-width="1.5"/>`);
    for (const p of front) {
      const c = p.config;
      parts.push(`<circle cx="${xs(p.usage.total[res]).toFixed(1)}" cy="${ys(p.perf.eqOpsPerS / 1e12).toFixed(1)}" r="3" fill="#cc3311"><title>${esc(`K=${c.K} P=${c.pOut}x${c.pIn} FFT ${c.fftLanes} IFFT ${c.ifftLanes}: ${(p.perf.eqOpsPerS / 1e12).toFixed(2)} TOP/s, ${Math.round(p.usage.total[res])} ${res}`)}</title></circle>`);
    }
  };
  panel(70, "lut", "LUT sites (logic + LUT RAM)", budget.lut, fronts.lut);
  panel(510, "dsp", "DSP48E1", budget.dsp, fronts.dsp);
  parts.push(`<text x="70" y="${H - 20}">grey: configurations within the XC7VX690T budget (K=8 grey, K=16 blue); red: Pareto front</text>`);
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
