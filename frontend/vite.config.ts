/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { pwa } from './vite/pwa.ts';

// The plenary service the dev server and `vite preview` talk to
// (`plenary demo --listen 127.0.0.1:8090` by default).
const service = process.env.PLENARY_URL ?? 'http://127.0.0.1:8090';

// The Host header is kept (no changeOrigin): the service accepts a
// browser's websocket when its Origin is the host it was asked for.
const proxy = {
  '/ws': { target: service.replace(/^http/, 'ws'), ws: true },
  '/api': { target: service },
};

export default defineConfig({
  base: '/',
  // pwa(): icons, one manifest per console, and the service worker (sw.js).
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: true }), pwa()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // Read by scripts/size.mjs to tell what each surface loads.
    manifest: true,
    // Every surface is its own chunk; the room screen loads only its own.
    chunkSizeWarningLimit: 150,
  },
  server: { proxy },
  preview: { proxy },
  test: {
    environment: 'happy-dom',
    include: ['test/**/*.test.{ts,tsx}'],
  },
});
