/**
 * The engine's VGG16 figures as a picture: per layer, ms per image at each batch size, a bar
 * split into the phases waiting for memory (weights and biases, map reads) and the compute.
 */
import { esc, niceMax } from "../../hdl/spec2/perf/svg";
import type { EngineVgg16 } from "./vgg16-engine";

const PHASES = [
  { key: "weights", label: "weights and biases (memory)", fill: "#d9822b" },
  { key: "reads", label: "map bands waiting for reads (memory)", fill: "#f2c14e" },
  { key: "compute", label: "map bands computing (FFT, PEs, IFFT, overlap-add)", fill: "#3a6ea5" },
] as const;

export function engineLayersSvg(r: EngineVgg16, title: string): string {
  const W = 960;
  const H = 460;
  const L = 70;
  const R = 20;
  const T = 50;
  const Bm = 110;
  const layers = r.batches[0]!.layers.map((l) => l.name);
  const ms = (clocks: number): number => clocks / (r.clockMHz * 1e3);
  const yMax = niceMax(Math.max(...r.batches.flatMap((b) => b.layers.map((l) => ms(l.clocks)))));
  const y = (v: number): number => T + (H - T - Bm) * (1 - v / yMax);
  const slot = (W - L - R) / layers.length;
  const bw = (slot * 0.8) / r.batches.length;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const v = (yMax * i) / 5;
    out.push(`<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`, `<text x="${L - 5}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(1)}</text>`);
  }
  out.push(`<text x="15" y="${(H - Bm + T) / 2}" transform="rotate(-90 15 ${(H - Bm + T) / 2})" text-anchor="middle">ms per image</text>`);
  layers.forEach((name, i) => {
    r.batches.forEach((b, j) => {
      const l = b.layers[i]!;
      const x = L + i * slot + slot * 0.1 + j * bw;
      const parts = { weights: ms(l.weightClocks), reads: ms(l.mapLoadBoundClocks), compute: ms(l.clocks - l.weightClocks - l.mapLoadBoundClocks) };
      let top = 0;
      for (const p of PHASES) {
        const v = Math.max(0, parts[p.key]);
        out.push(`<rect x="${x.toFixed(1)}" y="${y(top + v).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${(y(top) - y(top + v)).toFixed(1)}" fill="${p.fill}"/>`);
        top += v;
      }
      out.push(`<text x="${(x + bw / 2).toFixed(1)}" y="${(y(top) - 3).toFixed(1)}" text-anchor="middle" font-size="9">b${b.batch}</text>`);
    });
    const cx = L + (i + 0.5) * slot;
    out.push(`<text x="${cx}" y="${H - Bm + 14}" text-anchor="end" transform="rotate(-40 ${cx} ${H - Bm + 14})">${esc(name)}</text>`);
  });
  out.push(`<line x1="${L}" x2="${W - R}" y1="${y(0)}" y2="${y(0)}" stroke="black"/>`, `<line x1="${L}" x2="${L}" y1="${T}" y2="${y(0)}" stroke="black"/>`);
  const totals = r.batches.map((b) => `batch ${b.batch}: ${b.msPerImage.toFixed(1)} ms, ${b.topsEquivalent.toFixed(2)} TOP/s`).join("; ");
  out.push(`<text x="${W / 2}" y="36" text-anchor="middle">${esc(`bars b1, b16...: batch size (images on one weight fetch); ${totals}`)}</text>`);
  PHASES.forEach((p, k) => {
    const lx = L + [0, 230, 500][k]!;
    out.push(`<rect x="${lx}" y="${H - 28}" width="12" height="12" fill="${p.fill}"/>`, `<text x="${lx + 16}" y="${H - 18}">${esc(p.label)}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
