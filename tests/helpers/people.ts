import { expect } from "vitest";
import type { SandboxClient, SandboxUserHandle } from "../../sandbox/index.ts";

export function buttonsOf(entry: { reply_markup?: Record<string, unknown> } | undefined): string[] {
  const rows = (entry?.reply_markup?.inline_keyboard ?? []) as Array<Array<{ text: string }>>;
  return rows.flat().map((b) => b.text);
}

export const ACCEPT_RULES = "Мне есть 18, принимаю правила";

/** /start → the welcome card with the rules → «Мне есть 18, принимаю правила» → the first profile step. */
export async function acceptRules(person: SandboxUserHandle): Promise<void> {
  await person.send("/start");
  const card = await person.expectMessage(/не психотерапия/);
  expect(card.text).toMatch(/Правила/);
  await person.click(ACCEPT_RULES);
  await person.expectMessage(/Шаг 1 из 3/);
}

/** Opens each group (its button may carry a count, «Утрата (1)») and toggles the topic. */
export async function chooseTopics(person: SandboxUserHandle, picks: Array<[string, string]>): Promise<void> {
  for (const [group, topic] of picks) {
    const label = buttonsOf(await person.lastBotMessage()).find(
      (b) => b === group || b.startsWith(`${group} (`),
    );
    await person.click(label ?? group);
    await person.click(topic);
    await person.click("← К разделам");
  }
}

export interface QuickProfile {
  nickname: string;
  city?: string;
  topics: Array<[string, string]>;
  bio?: string;
}

/** A registered person who can search (the three first steps; a bio through «more»), made through the real flow. */
export async function registeredPerson(
  client: SandboxClient,
  firstName: string,
  profile: QuickProfile,
): Promise<SandboxUserHandle> {
  const person = await client.user(firstName);
  await acceptRules(person);
  await fillProfile(person, profile);
  return person;
}

/**
 * From the first profile step (after the rules) to «Можно искать собеседника», through the real
 * flow; with a bio, on through «Рассказать о себе подробнее» (weights as they are, the bio, then stop).
 */
export async function fillProfile(person: SandboxUserHandle, profile: QuickProfile): Promise<void> {
  await person.send(profile.nickname);
  await person.click(profile.city ?? "Москва");
  await person.expectMessage(/Шаг 3 из 3/);
  await chooseTopics(person, profile.topics);
  await person.click("Готово ✓");
  await person.expectMessage(/Можно искать собеседника/);
  if (profile.bio) {
    await person.click("✍️ Рассказать о себе подробнее");
    await person.expectMessage(/Подробнее о себе — 1 из 8/);
    await person.click("Готово ✓");
    await person.expectMessage(/Пара слов о себе/);
    await person.send(profile.bio);
    await person.expectMessage(/Чего ты ждёшь/);
    await person.click("Отмена");
    await person.expectMessage(/Темы:/);
  }
}

/** Two registered people sharing two topics, matched and in an active chat. */
export async function matchedPair(
  client: SandboxClient,
  names: [string, string],
  nicknames: [string, string],
  topics: Array<[string, string]> = [
    ["Работа и деньги", "Выгорание"],
    ["Переезд и новая жизнь", "Переезд"],
  ],
): Promise<[SandboxUserHandle, SandboxUserHandle]> {
  const a = await registeredPerson(client, names[0], { nickname: nicknames[0], topics });
  const b = await registeredPerson(client, names[1], { nickname: nicknames[1], topics });
  await a.send("/find");
  await a.expectMessage(/Ищу собеседника/);
  await b.send("/find");
  await a.expectMessage(/Нашёлся человек/, { timeoutMs: 10_000 });
  await b.expectMessage(/Нашёлся человек/, { timeoutMs: 10_000 });
  await a.click("✅ Принять");
  await b.click("✅ Принять");
  await a.expectMessage(/Собеседник — /);
  await b.expectMessage(/Собеседник — /);
  return [a, b];
}
