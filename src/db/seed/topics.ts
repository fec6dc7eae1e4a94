/** The topic catalogue: what people have lived through. Slugs are stable ids; titles are what people read. */
export interface TopicGroupSeed {
  slug: string;
  title: string;
  topics: Array<{ slug: string; title: string }>;
}

export const TOPIC_CATALOGUE: TopicGroupSeed[] = [
  {
    slug: "work",
    title: "Работа и деньги",
    topics: [
      { slug: "burnout", title: "Выгорание" },
      { slug: "job-loss", title: "Потеря работы" },
      { slug: "career-change", title: "Смена профессии" },
      { slug: "money-worries", title: "Долги и нехватка денег" },
    ],
  },
  {
    slug: "move",
    title: "Переезд и новая жизнь",
    topics: [
      { slug: "relocation", title: "Переезд" },
      { slug: "emigration", title: "Эмиграция" },
      { slug: "loneliness", title: "Одиночество" },
      { slug: "adaptation", title: "Адаптация в новой стране" },
    ],
  },
  {
    slug: "family",
    title: "Отношения и семья",
    topics: [
      { slug: "divorce", title: "Развод" },
      { slug: "breakup", title: "Расставание" },
      { slug: "relationships", title: "Отношения" },
      { slug: "parenting", title: "Родительство" },
      { slug: "family-conflict", title: "Конфликты в семье" },
      { slug: "caregiving", title: "Уход за близким" },
    ],
  },
  {
    slug: "loss",
    title: "Утрата",
    topics: [
      { slug: "loss", title: "Утрата близкого" },
      { slug: "pet-loss", title: "Потеря питомца" },
      { slug: "pregnancy-loss", title: "Потеря беременности" },
    ],
  },
  {
    slug: "wellbeing",
    title: "Здоровье и состояние",
    topics: [
      { slug: "anxiety", title: "Тревога" },
      { slug: "low-mood", title: "Подавленность" },
      { slug: "panic", title: "Панические атаки" },
      { slug: "chronic-illness", title: "Хроническая болезнь" },
      { slug: "addiction-recovery", title: "Восстановление от зависимости" },
      { slug: "insomnia", title: "Бессонница" },
    ],
  },
  {
    slug: "hard",
    title: "Трудный опыт",
    topics: [
      { slug: "bullying", title: "Травля" },
      { slug: "violence-survivor", title: "Пережитое насилие" },
      { slug: "war-stress", title: "Жизнь в тревожное время" },
    ],
  },
];
