// A QR code as an SVG (qrcode-generator for the symbol, drawn here as one
// path). Only the technician console imports it, so only its chunk carries it.
import qrcode from 'qrcode-generator';
import { useMemo } from 'preact/hooks';

/** Modules of light margin around the symbol, as the standard asks. */
export const QUIET_ZONE = 4;

export interface QrSymbol {
  /** Modules per side, without the quiet zone. */
  modules: number;
  /** The dark modules, one `M x y h w v1 h -w z` per horizontal run, offset by the quiet zone. */
  path: string;
}

/** Encodes `text` (byte mode, error correction M, smallest version that fits). */
export function qrSymbol(text: string): QrSymbol {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  let path = '';
  for (let row = 0; row < n; row++) {
    let col = 0;
    while (col < n) {
      if (!qr.isDark(row, col)) {
        col++;
        continue;
      }
      let end = col + 1;
      while (end < n && qr.isDark(row, end)) end++;
      path += `M${col + QUIET_ZONE} ${row + QUIET_ZONE}h${end - col}v1h-${end - col}z`;
      col = end;
    }
  }
  return { modules: n, path };
}

export function QrCode({ text, label, testid, size = 220 }: { text: string; label: string; testid?: string; size?: number }) {
  const symbol = useMemo(() => qrSymbol(text), [text]);
  const side = symbol.modules + 2 * QUIET_ZONE;
  return (
    <svg
      class="qr"
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${side} ${side}`}
      width={size}
      height={size}
      role="img"
      aria-label={label}
      shape-rendering="crispEdges"
      data-testid={testid}
      data-modules={symbol.modules}
    >
      <rect width={side} height={side} fill="#fff" />
      <path d={symbol.path} fill="#000" />
    </svg>
  );
}
