import type { Config } from "../config.ts";
import { openDatabase } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { seedTopics } from "../db/seed.ts";
import { createInfra } from "../infra/create-infra.ts";
import type { Logger } from "../logger.ts";
import type { Lifecycle } from "./lifecycle.ts";

/** Step 1: the database (migrated, topics seeded) and the queue/cache (Redis or in-process). */
export async function openStorage(config: Config, logger: Logger, life: Lifecycle) {
  const db = await openDatabase(
    config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: config.DATA_DIR },
  );
  life.started("database", () => db.close());
  const applied = await migrate(db.db);
  if (applied.length > 0) logger.info({ applied }, "migrations applied");
  await seedTopics(db.db);
  const infra = await createInfra({
    ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
    prefix: config.REDIS_PREFIX,
  });
  life.started("infra", () => infra.close());
  return { db, infra };
}

export type Storage = Awaited<ReturnType<typeof openStorage>>;
