/** Hand-written SVG pictures: kept spectral positions per layer, accuracy vs density. */
import { halfCols, layoutIndex } from "../spectral/layout";

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** Heat maps (one per layer) of how many kernels keep each half-plane position (u rows, v columns). */
export function keptPositionsSvg(K: number, layers: { name: string; kernels: number; counts: number[] }[], title: string): string {
  const C = halfCols(K);
  const cell = 34;
  const panelW = C * cell + 60;
  const W = layers.length * panelW + 20;
  const H = K * cell + 110;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`];
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="10" y="18" font-size="13">${esc(title)}</text>`);
  layers.forEach((l, li) => {
    const x0 = 10 + li * panelW + 30;
    const y0 = 50;
    out.push(`<text x="${x0}" y="${y0 - 18}" font-size="12">${esc(l.name)} (${l.kernels} kernels): kernels keeping (u, v)</text>`);
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
  out.push(`<text x="10" y="${H - 12}">layout index = u*(K/2+1)+v; darker = kept by more kernels; columns v=0 and v=K/2 hold conjugate pairs (u, K-u)</text>`);
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

export interface SweepPoint {
  density: number;
  n: number;
  prunedFloat: number;
  prunedFixed: number;
}

/** Line chart of test accuracy against density (log2 x axis). */
export function accuracySvg(points: SweepPoint[], denseFloat: number, title: string): string {
  const W = 520;
  const H = 340;
  const x0 = 60;
  const y0 = 40;
  const pw = W - x0 - 30;
  const ph = H - y0 - 60;
  const ds = points.map((p) => p.density);
  const lx = (d: number): number => Math.log2(d);
  const xmin = Math.min(...ds.map(lx)) - 0.25;
  const xmax = Math.max(...ds.map(lx)) + 0.25;
  const accs = points.flatMap((p) => [p.prunedFloat, p.prunedFixed]).concat([denseFloat]);
  const ymin = Math.max(0, Math.floor((Math.min(...accs) - 0.005) * 100) / 100);
  const ymax = Math.min(1, Math.ceil((Math.max(...accs) + 0.002) * 100) / 100);
  const X = (d: number): number => x0 + ((lx(d) - xmin) / (xmax - xmin)) * pw;
  const Y = (a: number): number => y0 + ph - ((a - ymin) / (ymax - ymin)) * ph;
  const o: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`, `<rect width="${W}" height="${H}" fill="white"/>`];
  o.push(`<text x="10" y="18" font-size="13">${esc(title)}</text>`);
  o.push(`<rect x="${x0}" y="${y0}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  for (let t = 0; t <= 5; t++) {
    const a = ymin + ((ymax - ymin) * t) / 5;
    o.push(`<line x1="${x0}" x2="${x0 + pw}" y1="${Y(a)}" y2="${Y(a)}" stroke="#ddd"/><text x="${x0 - 4}" y="${Y(a) + 4}" text-anchor="end">${(a * 100).toFixed(1)}%</text>`);
  }
  for (const p of points) o.push(`<text x="${X(p.density)}" y="${y0 + ph + 16}" text-anchor="middle">${p.density} (n=${p.n})</text>`);
  o.push(`<text x="${x0 + pw / 2}" y="${H - 18}" text-anchor="middle">density (kept fraction of the half-plane spectral entries, log scale)</text>`);
  o.push(`<line x1="${x0}" x2="${x0 + pw}" y1="${Y(denseFloat)}" y2="${Y(denseFloat)}" stroke="#888" stroke-dasharray="4,3"/><text x="${x0 + 4}" y="${Y(denseFloat) - 4}" fill="#666">dense float ${(denseFloat * 100).toFixed(2)}%</text>`);
  const line = (key: "prunedFloat" | "prunedFixed", color: string, dash: string): void => {
    const sorted = [...points].sort((a, b) => a.density - b.density);
    o.push(`<polyline fill="none" stroke="${color}" stroke-width="2" ${dash} points="${sorted.map((p) => `${X(p.density)},${Y(p[key])}`).join(" ")}"/>`);
    for (const p of sorted) o.push(`<circle cx="${X(p.density)}" cy="${Y(p[key])}" r="3" fill="${color}"/>`);
  };
  line("prunedFloat", "#1f77b4", "");
  line("prunedFixed", "#d62728", 'stroke-dasharray="5,3"');
  o.push(`<text x="${x0 + pw - 150}" y="${y0 + ph - 30}" fill="#1f77b4">pruned, float</text><text x="${x0 + pw - 150}" y="${y0 + ph - 15}" fill="#d62728">pruned, fixed-point golden</text>`);
  o.push("</svg>");
  return `${o.join("\n")}\n`;
}
