import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    pool: "forks",
    // e2e tests start whole processes; on a loaded 2-core machine that takes a while.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // Two cores here and in CI; e2e files start whole processes.
    maxWorkers: 3,
    reporters: ["default"],
  },
});
