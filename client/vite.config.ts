// Builds the web front end into client/dist, which the service serves (server/routes/client-routes.ts). The output
// must work under the service's strict Content-Security-Policy: external module scripts and stylesheets only, nothing
// inline (Vite emits none for a production build; the e2e suite checks for CSP violations).
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // No inline data: URIs for assets, so img-src/font-src stay 'self'.
    assetsInlineLimit: 0,
  },
  server: {
    // `npm run dev:client` proxies the API to a running `npm start`.
    proxy: { '/api': 'http://localhost:3000' },
  },
});
