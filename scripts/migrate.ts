import { loadConfigOrExit } from "../src/config-exit.ts";
import { openDatabase } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { seedTopics } from "../src/db/seed.ts";

/** `npm run db:migrate`: applies migrations and seeds the catalogue, then exits (deploy step). */
const config = loadConfigOrExit();
const db = await openDatabase(
  config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: config.DATA_DIR },
);
try {
  const applied = await migrate(db.db);
  await seedTopics(db.db);
  process.stdout.write(applied.length ? `Applied: ${applied.join(", ")}\n` : "Database is up to date.\n");
} finally {
  await db.close();
}
