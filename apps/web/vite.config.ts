// The web application's build: static files in apps/web/dist that `patchgate server` serves at /.
// Vite's default asset folder is /assets, which is also the assets screen's URL: files go under
// /static instead. No inline script or style in the output (the UI's Content-Security-Policy
// allows neither).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'static',
    target: 'es2022',
    sourcemap: true,
    // Small images would become data: URLs inside CSS; keep everything a file.
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  server: {
    // `npm run dev -w @patchgate/web` next to `npx patchgate server --port 7480`.
    proxy: { '/api': 'http://127.0.0.1:7480' },
  },
});
