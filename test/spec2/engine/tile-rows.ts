/**
 * The rows an input tiler must produce for a map, written from the definition of the tiles: the
 * zero-padded T x T tiles of step 1 of goldenConvLayer, in its order (bands of tile rows, tiles
 * across, channels inside a tile, rows of each); `first` on row 0 of a channel-tile, `last` on
 * the map's final row.
 */

export type TileShape = { c: number; h: number; w: number; k: number; p: number };

/** Tiles across and down: they cover the padded input, as makePlan's (spectral/conv.ts). */
export function tileCounts(s: TileShape, T: number): { tilesX: number; tilesY: number } {
  return { tilesX: Math.ceil((s.w + 2 * s.p) / T), tilesY: Math.ceil((s.h + 2 * s.p) / T) };
}
export type TileRow = { first: number; last: number; row: number[] };

export function tileRows(map: readonly (readonly (readonly number[])[])[], s: TileShape, T: number): TileRow[] {
  const { tilesX, tilesY } = tileCounts(s, T);
  const at = (ch: number, y: number, x: number): number => (y >= 0 && y < s.h && x >= 0 && x < s.w ? map[ch]![y]![x]! : 0);
  const rows: TileRow[] = [];
  for (let ty = 0; ty < tilesY; ty++)
    for (let tx = 0; tx < tilesX; tx++)
      for (let ch = 0; ch < s.c; ch++)
        for (let a = 0; a < T; a++)
          rows.push({
            first: a === 0 ? 1 : 0,
            last: ty === tilesY - 1 && tx === tilesX - 1 && ch === s.c - 1 && a === T - 1 ? 1 : 0,
            row: Array.from({ length: T }, (_, b) => at(ch, ty * T - s.p + a, tx * T - s.p + b)),
          });
  return rows;
}
