/**
 * Catalogue topics (src/db/seed/topics.ts) → hint families. When a chat shares several topics, the
 * conversation's own words decide («кот», «развод»), then the more specific family wins.
 */
import type { TopicFamily } from "./types.ts";

const FAMILY_OF_SLUG: Readonly<Record<string, TopicFamily>> = {
  loss: "grief",
  "pregnancy-loss": "grief",
  "pet-loss": "pet_loss",
  divorce: "breakup",
  breakup: "breakup",
  relationships: "breakup",
  burnout: "burnout",
  "job-loss": "burnout",
  "career-change": "burnout",
  "money-worries": "burnout",
  relocation: "move",
  emigration: "move",
  adaptation: "move",
  loneliness: "loneliness",
  anxiety: "anxiety",
  panic: "anxiety",
  insomnia: "anxiety",
  "war-stress": "anxiety",
};

/** Most specific first: a pet's death is not handled like burnout, whatever else the two share. */
export const FAMILY_PRIORITY: readonly TopicFamily[] = [
  "pet_loss",
  "grief",
  "breakup",
  "anxiety",
  "burnout",
  "move",
  "loneliness",
  "general",
];

const CUES: Readonly<Record<TopicFamily, RegExp>> = {
  pet_loss: /(?<![\p{L}])(?:кот|кош|пес(?![\p{L}])|пса|собак|питом|хомяк|попуга|ветеринар|усып)/gu,
  grief:
    /(?<![\p{L}])(?:умер|умерл|смерт|похорон|не стало|утрат|ушел из жизни|ушла из жизни|погиб|кладбищ)/gu,
  breakup: /(?<![\p{L}])(?:развод|развел|расстал|бывш|ушел от меня|ушла от меня|разрыв|измен)/gu,
  anxiety: /(?<![\p{L}])(?:тревог|тревож|паник|страшн|боюсь|не сплю|бессонниц)/gu,
  burnout: /(?<![\p{L}])(?:работ|начальн|выгор|уволи|увольн|дедлайн|проект|зарплат)/gu,
  move: /(?<![\p{L}])(?:перее|переезд|эмигр|релок|новом город|новой стран|адаптац|виз[аыу](?![\p{L}]))/gu,
  loneliness: /(?<![\p{L}])(?:одинок|одиночеств|не с кем|никого нет|некому)/gu,
  general: /(?!)/gu,
};

export function familyOfTopic(slug: string): TopicFamily {
  return FAMILY_OF_SLUG[slug] ?? "general";
}

/** The family for hints, from the chat's topics and (optionally) the context text. */
export function pickFamily(topicSlugs: readonly string[], context = ""): TopicFamily {
  const candidates = [...new Set(topicSlugs.map(familyOfTopic))];
  const folded = context.toLowerCase().replace(/ё/g, "е");
  const pool = candidates.length > 0 ? candidates : [];
  // Words in the conversation may point at a family even among the chat's topics.
  let best: TopicFamily | null = null;
  let bestHits = 0;
  for (const family of pool.length > 0 ? pool : FAMILY_PRIORITY) {
    const re = CUES[family];
    re.lastIndex = 0;
    const hits = folded ? [...folded.matchAll(re)].length : 0;
    if (
      hits > bestHits ||
      (hits === bestHits &&
        hits > 0 &&
        best &&
        FAMILY_PRIORITY.indexOf(family) < FAMILY_PRIORITY.indexOf(best))
    ) {
      best = family;
      bestHits = hits;
    }
  }
  if (best) return best;
  for (const family of FAMILY_PRIORITY) if (pool.includes(family)) return family;
  return "general";
}
