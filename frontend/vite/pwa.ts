// The build's part in the installable, offline app: after the app is
// bundled, writes
//   - icons/*.png (./icons.ts) and manifests/<app>.webmanifest (one per
//     console, src/pwa/apps.ts);
//   - sw.js (src/sw/sw.ts, bundled on its own) with the build id — a hash
//     of every file of the build — and the list of those files, the shell
//     it caches;
// and puts the icon links into index.html. The dev server serves the
// icons and manifests too (no worker in development).
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { build, type HtmlTagDescriptor, type Plugin } from 'vite';
import { APP_NAMES, ICONS, THEME_COLOR, manifestOf, manifestPath } from '../src/pwa/apps.ts';
import { iconPng } from './icons.ts';

/** Every icon file: the manifests' own, a favicon and Apple's touch icon. */
export function iconFiles(): { file: string; size: number; maskable: boolean }[] {
  return [
    ...ICONS.map((i) => ({ file: i.src.slice(1), size: i.size, maskable: i.purpose === 'maskable' })),
    { file: 'icons/plenary-32.png', size: 32, maskable: false },
    // iOS rounds the corners itself and shows no transparency.
    { file: 'icons/apple-touch-icon.png', size: 180, maskable: true },
  ];
}

/** The files of the build (besides the worker), each written once. */
function pwaFiles(): Map<string, string | Uint8Array> {
  const files = new Map<string, string | Uint8Array>();
  for (const icon of iconFiles()) files.set(icon.file, iconPng({ size: icon.size, maskable: icon.maskable }));
  for (const app of APP_NAMES) files.set(manifestPath(app).slice(1), `${JSON.stringify(manifestOf(app), null, 2)}\n`);
  return files;
}

/** The build id: a hash of every file's name and bytes, in name order. */
export function buildId(files: ReadonlyMap<string, string | Uint8Array>): string {
  const hash = createHash('sha256');
  for (const name of [...files.keys()].sort()) {
    hash.update(`${name}\0`);
    hash.update(files.get(name)!);
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** src/sw/sw.ts as one classic script, the build's constants in place. */
async function bundleWorker(root: string, id: string, shell: string[]): Promise<string> {
  const result = await build({
    configFile: false,
    root,
    logLevel: 'warn',
    publicDir: false,
    define: {
      __PLENARY_BUILD__: JSON.stringify(id),
      __PLENARY_SHELL__: JSON.stringify(shell),
    },
    build: {
      write: false,
      emptyOutDir: false,
      copyPublicDir: false,
      minify: true,
      target: 'es2022',
      lib: { entry: resolve(root, 'src/sw/sw.ts'), formats: ['iife'], name: 'plenaryServiceWorker', fileName: () => 'sw.js' },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  for (const output of outputs) {
    if (!('output' in output)) continue;
    for (const file of output.output) {
      if (file.type === 'chunk') return `// plenary service worker, build ${id}\n${file.code}`;
    }
  }
  throw new Error('the service worker was not bundled');
}

const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
};

export function pwa(): Plugin {
  let root = process.cwd();
  let dev: Map<string, string | Uint8Array> | null = null;
  return {
    name: 'plenary-pwa',
    // After Vite's own plugins: index.html and every chunk are in the bundle.
    enforce: 'post',
    configResolved(config) {
      root = config.root;
    },
    transformIndexHtml: {
      order: 'post',
      handler: (): HtmlTagDescriptor[] => [
        { tag: 'link', attrs: { rel: 'icon', type: 'image/png', sizes: '32x32', href: '/icons/plenary-32.png' }, injectTo: 'head' },
        { tag: 'link', attrs: { rel: 'apple-touch-icon', href: '/icons/apple-touch-icon.png' }, injectTo: 'head' },
        { tag: 'meta', attrs: { name: 'theme-color', content: THEME_COLOR }, injectTo: 'head' },
      ],
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0]!.slice(1);
        dev ??= pwaFiles();
        const body = dev.get(path);
        if (body === undefined) return next();
        res.setHeader('Content-Type', CONTENT_TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream');
        res.end(body);
      });
    },
    async generateBundle(_options, bundle) {
      if (!bundle['index.html']) return; // not the app's build (the worker's own, below)
      const files = new Map<string, string | Uint8Array>();
      for (const [name, file] of Object.entries(bundle)) {
        if (name.startsWith('.vite/')) continue;
        files.set(name, file.type === 'chunk' ? file.code : file.source);
      }
      for (const [name, source] of pwaFiles()) {
        this.emitFile({ type: 'asset', fileName: name, source });
        files.set(name, source);
      }
      const id = buildId(files);
      const shell = [...files.keys()].sort().map((name) => `/${name}`);
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: await bundleWorker(root, id, shell) });
    },
  };
}
