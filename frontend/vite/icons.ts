// The app's icons, drawn at build time (no image files in the tree, no
// image library): plenary's mark — a white "p" with the amber light of the
// floor — on the console blue. `any` icons are rounded squares on a
// transparent ground; `maskable` ones fill the square and keep the mark
// inside the safe zone (the central circle of 80 % of the size), so that a
// launcher may crop them to any shape. Anti-aliased by 4×4 supersampling,
// written as 8-bit RGBA PNG with node:zlib.
import { deflateSync } from 'node:zlib';

type Rgb = readonly [number, number, number];

const TOP: Rgb = [0x0e, 0x62, 0xb4];
const BOTTOM: Rgb = [0x08, 0x3d, 0x73];
const MARK: Rgb = [0xff, 0xff, 0xff];
const LIGHT: Rgb = [0xff, 0xbf, 0x47];

export interface IconOptions {
  size: number;
  /** Fill the square and keep the mark in the safe zone. */
  maskable?: boolean;
}

/** Signed distance to a rounded box centred at (cx, cy), half sizes hx, hy. */
function roundedBox(x: number, y: number, cx: number, cy: number, hx: number, hy: number, r: number): number {
  const qx = Math.abs(x - cx) - hx + r;
  const qy = Math.abs(y - cy) - hy + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

/** The mark in its own unit box ([0, 1]²): which paint covers (x, y), if any. */
function markAt(x: number, y: number): Rgb | null {
  // The amber light, top right.
  if (Math.hypot(x - 0.86, y - 0.1) <= 0.095) return LIGHT;
  // The bowl of the "p": a ring.
  const d = Math.hypot(x - 0.55, y - 0.47);
  if (d <= 0.335 && d >= 0.165) return MARK;
  // Its stem, from the x-height down to the descender, rounded at the foot.
  if (roundedBox(x, y, 0.215, 0.565, 0.09, 0.43, 0.09) <= 0) return MARK;
  return null;
}

/** Where the mark sits on the icon (fractions of the size). */
function markBox(maskable: boolean): { left: number; top: number; size: number } {
  const size = maskable ? 0.5 : 0.6;
  return { left: (1 - size) / 2 + 0.01, top: (1 - size) / 2, size };
}

/** The colour (and coverage) of one sample at (u, v) in [0, 1]². */
function sample(u: number, v: number, maskable: boolean): [Rgb, number] | null {
  if (!maskable && roundedBox(u, v, 0.5, 0.5, 0.5, 0.5, 0.22) > 0) return null;
  const box = markBox(maskable);
  const mark = markAt((u - box.left) / box.size, (v - box.top) / box.size);
  if (mark) return [mark, 1];
  const t = v;
  return [[TOP[0] + (BOTTOM[0] - TOP[0]) * t, TOP[1] + (BOTTOM[1] - TOP[1]) * t, TOP[2] + (BOTTOM[2] - TOP[2]) * t], 1];
}

/** The icon's pixels, RGBA (straight alpha: coverage of the rounded square). */
export function renderIcon({ size, maskable = false }: IconOptions): Uint8Array {
  const n = 4;
  const out = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const s = sample((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size, maskable);
          if (!s) continue;
          r += s[0][0];
          g += s[0][1];
          b += s[0][2];
          a += s[1];
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
      }
      out[i + 3] = Math.round((255 * a) / (n * n));
    }
  }
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit RGBA PNG of `rgba` (width × height pixels). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** The icon as a PNG file. */
export function iconPng(options: IconOptions): Buffer {
  return encodePng(options.size, options.size, renderIcon(options));
}
