import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The hosted pages: a single-page app served by the Portcullis server from web/dist.
// No inline scripts or styles are emitted, so the server's CSP (script-src 'self';
// style-src 'self') holds. `npm run dev` for the API plus `vite --config web/vite.config.ts`
// gives hot reload, with /api proxied to the server.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    // Never inline assets as data: URLs; everything is served from 'self'.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: { '/api': process.env.PORTCULLIS_API_URL ?? 'http://localhost:3000' },
  },
});
