import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores here and in CI; e2e files start whole processes.
    maxWorkers: 3,
    reporters: ["default"],
  },
});
