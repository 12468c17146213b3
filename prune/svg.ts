/** Hand-written SVG pictures: kept spectral positions per layer, accuracy against density. */
import { halfCols, layoutIndex } from "../spectral/layout";

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** Rough width of a text in px for a sans-serif font (about 0.6 em per character). */
const textWidth = (s: string, size: number): number => s.length * size * 0.6;

/**
 * Heat maps (one panel per layer, up to three per row) of how many kernels keep each
 * half-plane position (u rows, v columns). The canvas is sized from its texts and panels.
 */
export function keptPositionsSvg(K: number, layers: { name: string; kernels: number; counts: number[] }[], title: string): string {
  const C = halfCols(K);
  const cell = 34;
  const perRow = Math.min(3, layers.length);
  const rows = Math.ceil(layers.length / perRow);
  const panelTitle = (l: { name: string; kernels: number }): [string, string] => [`${l.name}: ${l.kernels} kernels`, "kernels keeping (u, v)"];
  const labelW = 36;
  const panelW = Math.max(C * cell + labelW + 20, ...layers.map((l) => Math.max(...panelTitle(l).map((t) => textWidth(t, 12))) + 20));
  const panelH = K * cell + 58;
  const footer = [
    "layout index = u*(K/2+1)+v; darker = kept by more kernels;",
    "columns v = 0 and v = K/2 hold conjugate pairs (u, K-u), kept together.",
  ];
  const top = 40;
  const W = Math.ceil(Math.max(perRow * panelW + 20, textWidth(title, 14) + 20, ...footer.map((f) => textWidth(f, 11) + 20)));
  const H = top + rows * panelH + footer.length * 16 + 16;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`];
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="10" y="22" font-size="14">${esc(title)}</text>`);
  layers.forEach((l, li) => {
    const px = 10 + (li % perRow) * panelW;
    const py = top + Math.floor(li / perRow) * panelH;
    const x0 = px + labelW;
    const y0 = py + 44;
    const [t1, t2] = panelTitle(l);
    out.push(`<text x="${px}" y="${py + 12}" font-size="12">${esc(t1)}</text>`);
    out.push(`<text x="${px}" y="${py + 26}" font-size="12" fill="#444">${esc(t2)}</text>`);
    for (let v = 0; v < C; v++) out.push(`<text x="${x0 + v * cell + cell / 2}" y="${y0 - 4}" text-anchor="middle">v=${v}</text>`);
    for (let u = 0; u < K; u++) {
      out.push(`<text x="${x0 - 4}" y="${y0 + u * cell + cell / 2 + 4}" text-anchor="end">u=${u}</text>`);
      for (let v = 0; v < C; v++) {
        const c = l.counts[layoutIndex(K, u, v)]!;
        const f = c / l.kernels;
        const g = Math.round(255 * (1 - f));
        out.push(`<rect x="${x0 + v * cell}" y="${y0 + u * cell}" width="${cell - 1}" height="${cell - 1}" fill="rgb(${g},${g},255)" stroke="#999" stroke-width="0.5"/>`);
        out.push(`<text x="${x0 + v * cell + cell / 2}" y="${y0 + u * cell + cell / 2 + 4}" text-anchor="middle" fill="${f > 0.5 ? "white" : "black"}">${c}</text>`);
      }
    }
  });
  footer.forEach((f, q) => out.push(`<text x="10" y="${top + rows * panelH + 14 + q * 16}">${esc(f)}</text>`));
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

export interface SweepPoint {
  density: number;
  n: number;
  prunedFloat: number;
  prunedFixed: number;
}

/** Line chart of test accuracy against density (log2 x axis), with a legend of what each line measured. */
export function accuracySvg(points: SweepPoint[], denseFloat: number, title: string): string {
  const W = Math.ceil(Math.max(640, textWidth(title, 13) + 20));
  const H = 400;
  const x0 = 70;
  const y0 = 44;
  const pw = W - x0 - 30;
  const ph = H - y0 - 70;
  const ds = points.map((p) => p.density);
  const lx = (d: number): number => Math.log2(d);
  const xmin = Math.min(...ds.map(lx)) - 0.25;
  const xmax = Math.max(...ds.map(lx)) + 0.25;
  const accs = points.flatMap((p) => [p.prunedFloat, p.prunedFixed]).concat(Number.isFinite(denseFloat) ? [denseFloat] : []);
  const ymin = Math.max(0, Math.floor((Math.min(...accs) - 0.004) * 200) / 200);
  const ymax = Math.min(1, Math.ceil((Math.max(...accs) + 0.002) * 200) / 200);
  const X = (d: number): number => x0 + ((lx(d) - xmin) / (xmax - xmin)) * pw;
  const Y = (a: number): number => y0 + ph - ((a - ymin) / (ymax - ymin)) * ph;
  const o: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`, `<rect width="${W}" height="${H}" fill="white"/>`];
  o.push(`<text x="10" y="20" font-size="13">${esc(title)}</text>`);
  o.push(`<rect x="${x0}" y="${y0}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  for (let t = 0; t <= 5; t++) {
    const a = ymin + ((ymax - ymin) * t) / 5;
    o.push(`<line x1="${x0}" x2="${x0 + pw}" y1="${Y(a)}" y2="${Y(a)}" stroke="#ddd"/><text x="${x0 - 4}" y="${Y(a) + 4}" text-anchor="end">${(a * 100).toFixed(2)}%</text>`);
  }
  o.push(`<text x="16" y="${y0 + ph / 2}" text-anchor="middle" transform="rotate(-90 16 ${y0 + ph / 2})">test accuracy</text>`);
  for (const p of points) o.push(`<text x="${X(p.density)}" y="${y0 + ph + 16}" text-anchor="middle">${p.density} (n=${p.n})</text>`);
  o.push(`<text x="${x0 + pw / 2}" y="${y0 + ph + 38}" text-anchor="middle">density: kept fraction of the 40 half-plane spectral entries of every kernel (log scale)</text>`);
  if (Number.isFinite(denseFloat)) o.push(`<line x1="${x0}" x2="${x0 + pw}" y1="${Y(denseFloat)}" y2="${Y(denseFloat)}" stroke="#888" stroke-dasharray="4,3"/>`);
  const line = (key: "prunedFloat" | "prunedFixed", color: string, dash: string): void => {
    const sorted = [...points].sort((a, b) => a.density - b.density);
    o.push(`<polyline fill="none" stroke="${color}" stroke-width="2" ${dash} points="${sorted.map((p) => `${X(p.density)},${Y(p[key])}`).join(" ")}"/>`);
    for (const p of sorted) o.push(`<circle cx="${X(p.density)}" cy="${Y(p[key])}" r="3" fill="${color}"/>`);
  };
  line("prunedFloat", "#1f77b4", "");
  line("prunedFixed", "#d62728", 'stroke-dasharray="5,3"');
  const legend: [string, string, string][] = [
    ["#1f77b4", "", "pruned + retrained, float model"],
    ["#d62728", 'stroke-dasharray="5,3"', "same, conv layers through the fixed-point golden model"],
    ["#888", 'stroke-dasharray="4,3"', `dense float model: ${(denseFloat * 100).toFixed(2)}%`],
  ];
  const lw = Math.max(...legend.map((l) => textWidth(l[2], 11))) + 44;
  const lx0 = x0 + pw - lw - 8;
  const ly0 = y0 + ph - legend.length * 16 - 12;
  o.push(`<rect x="${lx0}" y="${ly0}" width="${lw}" height="${legend.length * 16 + 8}" fill="white" stroke="#bbb"/>`);
  legend.forEach(([color, dash, text], q) => {
    const y = ly0 + 14 + q * 16;
    o.push(`<line x1="${lx0 + 6}" x2="${lx0 + 30}" y1="${y - 4}" y2="${y - 4}" stroke="${color}" stroke-width="2" ${dash}/><text x="${lx0 + 36}" y="${y}">${esc(text)}</text>`);
  });
  o.push("</svg>");
  return `${o.join("\n")}\n`;
}
