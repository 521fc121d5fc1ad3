// What each surface downloads, gzipped: the entry (index.html's script and
// its static imports) plus the surface's own chunk and its static imports.
// Reads dist/.vite/manifest.json (run `npm run build` first). Fails when the
// room screen's JavaScript passes its budget.
import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../dist');
const manifest = JSON.parse(readFileSync(resolve(dist, '.vite/manifest.json'), 'utf8'));

/** Room screens must stay under this (gzipped JavaScript). */
const SCREEN_BUDGET = 150 * 1024;

const SURFACES = {
  chair: 'src/surfaces/chair/ChairConsole.tsx',
  delegation: 'src/surfaces/delegation/DelegationConsole.tsx',
  screen: 'src/surfaces/screen/RoomScreen.tsx',
  technician: 'src/surfaces/technician/TechnicianConsole.tsx',
  booth: 'src/surfaces/booth/BoothView.tsx',
  public: 'src/surfaces/public/PublicView.tsx',
};

function closure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const dep of manifest[key]?.imports ?? []) closure(dep, seen);
  return seen;
}

const gz = (file) => gzipSync(readFileSync(resolve(dist, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
const rows = [];
let failed = false;
for (const [name, src] of Object.entries(SURFACES)) {
  if (!manifest[src]) throw new Error(`${src} is not in the build manifest`);
  const chunks = new Set([...closure(entry), ...closure(src)]);
  const js = new Set();
  const css = new Set();
  for (const c of chunks) {
    js.add(manifest[c].file);
    for (const f of manifest[c].css ?? []) css.add(f);
  }
  const jsGz = [...js].reduce((a, f) => a + gz(f), 0);
  const cssGz = [...css].reduce((a, f) => a + gz(f), 0);
  rows.push({ surface: name, files: js.size + css.size, 'JS gzip': kb(jsGz), 'CSS gzip': kb(cssGz), 'total gzip': kb(jsGz + cssGz) });
  if (name === 'screen' && jsGz > SCREEN_BUDGET) failed = true;
  if (name === 'screen') console.log(`room screen JavaScript: ${kb(jsGz)} gzipped (budget ${kb(SCREEN_BUDGET)})`);
}
console.table(rows);
if (failed) {
  console.error('the room screen is over its budget');
  process.exit(1);
}
