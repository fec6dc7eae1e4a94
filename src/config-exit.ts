import { type Config, ConfigError, checkServingConfig, loadConfig } from "./config.ts";

/**
 * What every entry point (src/main.ts, scripts/migrate.ts) does with the environment: a wrong config is
 * an operator's mistake, so it gets the readable list of problems and exit code 2, never a stack trace.
 */
export function loadConfigOrExit(
  source: Record<string, string | undefined> = process.env,
  opts: { servesBot?: boolean } = {},
): Config {
  try {
    const config = loadConfig(source);
    if (opts.servesBot) checkServingConfig(config);
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example and the configuration table in README.md.\n`);
      process.exit(2);
    }
    throw err;
  }
}
