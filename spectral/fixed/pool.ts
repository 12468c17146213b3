/** 2x2 max-pooling, stride 2, floor (the networks' pooling between conv layers), on [c][h][w] words. */
export function maxPool2Words(y: ArrayLike<number>, c: number, h: number, w: number): Int32Array {
  const ho = Math.floor(h / 2);
  const wo = Math.floor(w / 2);
  const out = new Int32Array(c * ho * wo);
  for (let ch = 0; ch < c; ch++)
    for (let r = 0; r < ho; r++)
      for (let q = 0; q < wo; q++) {
        const i = (ch * h + 2 * r) * w + 2 * q;
        out[(ch * ho + r) * wo + q] = Math.max(y[i]!, y[i + 1]!, y[i + w]!, y[i + w + 1]!);
      }
  return out;
}
