// The build's icons (vite/icons.ts) and build id (vite/pwa.ts): real PNGs
// of the sizes the manifests name, `any` ones rounded on transparency,
// `maskable` ones filling the square; a build id that changes with any file.
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { iconPng } from '../vite/icons';
import { buildId, iconFiles } from '../vite/pwa';
import { ICONS } from '../src/pwa/apps';

/** Width, height and RGBA pixels of an 8-bit RGBA PNG without filters. */
function decode(png: Buffer): { width: number; height: number; pixel: (x: number, y: number) => number[] } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  expect([png[24], png[25]]).toEqual([8, 6]);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4 + 1;
  return {
    width,
    height,
    pixel: (x, y) => [...raw.subarray(y * stride + 1 + x * 4, y * stride + 1 + x * 4 + 4)],
  };
}

describe('the icons', () => {
  it('every icon a manifest names is written by the build', () => {
    const files = iconFiles().map((f) => `/${f.file}`);
    for (const icon of ICONS) expect(files).toContain(icon.src);
  });

  it('are PNGs of their size: rounded on transparency, or filling the square when maskable', () => {
    const any = decode(iconPng({ size: 192 }));
    expect([any.width, any.height]).toEqual([192, 192]);
    expect(any.pixel(0, 0)[3]).toBe(0); // the rounded corner
    expect(any.pixel(96, 4)[3]).toBe(255); // the edge's middle
    const maskable = decode(iconPng({ size: 192, maskable: true }));
    expect(maskable.pixel(0, 0)[3]).toBe(255);
    expect(maskable.pixel(191, 191)[3]).toBe(255);
    // The mark: white in the middle of the stem, blue around it.
    const white = [255, 255, 255, 255];
    const stem = decode(iconPng({ size: 512 }));
    expect(stem.pixel(Math.round(512 * (0.21 + 0.6 * 0.215)), Math.round(512 * 0.5))).toEqual(white);
    expect(stem.pixel(20, 256).slice(0, 3)).not.toEqual(white.slice(0, 3));
  });

  it('the build id changes with any file, and only then', () => {
    const files = new Map<string, string | Uint8Array>([
      ['index.html', '<html>'],
      ['assets/a.js', 'x'],
    ]);
    const id = buildId(files);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(buildId(new Map([...files].reverse()))).toBe(id);
    expect(buildId(new Map([...files, ['assets/a.js', 'y']]))).not.toBe(id);
    expect(buildId(new Map([...files, ['icons/x.png', new Uint8Array([1])]]))).not.toBe(id);
  });
});
