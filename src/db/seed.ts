import { sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { topicGroups, topics } from "./schema.ts";
import { TOPIC_CATALOGUE } from "./seed/topics.ts";

/** Upserts the topic catalogue: safe to run on every start, by every replica. */
export async function seedTopics(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    const groupRows = TOPIC_CATALOGUE.map((g, i) => ({ slug: g.slug, title: g.title, sortOrder: i }));
    await tx
      .insert(topicGroups)
      .values(groupRows)
      .onConflictDoUpdate({
        target: topicGroups.slug,
        set: { title: sql`excluded.title`, sortOrder: sql`excluded.sort_order` },
      });
    const topicRows = TOPIC_CATALOGUE.flatMap((g) =>
      g.topics.map((t, i) => ({ slug: t.slug, title: t.title, groupSlug: g.slug, sortOrder: i })),
    );
    await tx
      .insert(topics)
      .values(topicRows)
      .onConflictDoUpdate({
        target: topics.slug,
        set: {
          title: sql`excluded.title`,
          groupSlug: sql`excluded.group_slug`,
          sortOrder: sql`excluded.sort_order`,
        },
      });
  });
}
