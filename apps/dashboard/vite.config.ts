import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The gateway serves dist/ itself (apps/gateway/src/routes/dashboard.ts) under a CSP
// without 'unsafe-inline' scripts: Vite emits only external module scripts, and the
// module-preload polyfill (which would be injected code) is turned off.
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npx vite` in this folder proxies the API to a gateway on its default port.
    proxy: { "/api": "http://127.0.0.1:8080", "/v1": "http://127.0.0.1:8080" },
  },
});
