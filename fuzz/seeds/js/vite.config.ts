import { defineConfig } from 'vite'
export default defineConfig(({ mode }) => ({
  build: { sourcemap: mode === 'production' ? 'hidden' : true, rollupOptions: { output: { sourcemapExcludeSources: false } } },
  esbuild: { legalComments: `none` },
}))
if (x) /sourcemap: true/.test(y)
config.devtool = 'eval-source-map'
