import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests import workspace packages from their TypeScript sources, so a change is
// tested without a build; `npm start` runs the compiled output.
export default defineConfig({
  resolve: {
    alias: {
      "@bentoo/core": source("./packages/core/src/index.ts"),
      "@bentoo/storage": source("./packages/storage/src/index.ts"),
      "@bentoo/providers": source("./packages/providers/src/index.ts"),
      "@bentoo/admission": source("./packages/admission/src/index.ts"),
      "@bentoo/test-kit": source("./packages/test-kit/src/index.ts"),
      "@bentoo/gateway": source("./apps/gateway/src/index.ts"),
    },
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts", "e2e/**/*.test.ts", "scripts/test/**/*.test.ts", "deploy/test/**/*.test.ts"],
    globalSetup: ["./packages/test-kit/src/vitest-global-setup.ts"],
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
