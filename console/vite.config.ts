import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The console builds into console/dist, which `agentos serve` serves at `/` (src/surfaces/http/console-static.ts). */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1_500,
  },
  server: {
    // `npm run dev:console` proxies the API to a running `agentos serve` on the default port.
    proxy: { '/api': { target: process.env.AGENTOS_URL ?? 'http://127.0.0.1:7070', changeOrigin: false } },
  },
});
