import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The browser app lives in client/; the server serves client/dist at `/` in production.
// In development (`npx vite`), API and Socket.IO calls are proxied to the server.
const server = process.env.ROTO_DEV_SERVER ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: 'client',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/api': server,
      '/healthz': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
