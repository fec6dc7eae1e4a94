import { expect } from "vitest";
import type { SandboxClient, SandboxUserHandle } from "../../src/sandbox/index.ts";

export function buttonsOf(entry: { reply_markup?: Record<string, unknown> } | undefined): string[] {
  const rows = (entry?.reply_markup?.inline_keyboard ?? []) as Array<Array<{ text: string }>>;
  return rows.flat().map((b) => b.text);
}

/** /start → four cards → 18+ → rules → «Понятно, принимаю» → the first profile step. */
export async function acceptRules(person: SandboxUserHandle): Promise<void> {
  await person.send("/start");
  await person.expectMessage(/не психотерапия/);
  for (let i = 0; i < 4; i++) await person.click("Дальше →");
  expect((await person.lastBotMessage())?.text).toMatch(/исполнилось 18/);
  await person.click("Да, мне 18 или больше");
  expect((await person.lastBotMessage())?.text).toMatch(/Правила/);
  await person.click("Понятно, принимаю");
  await person.expectMessage(/Шаг 1 из 9/);
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

/** A registered person with a complete profile, made through the real flow. */
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

/** From the first profile step (after the rules) to «Профиль готов», through the real flow. */
export async function fillProfile(person: SandboxUserHandle, profile: QuickProfile): Promise<void> {
  await person.send(profile.nickname);
  await person.click(profile.city ?? "Москва");
  await person.expectMessage(/Шаг 3 из 9/);
  await chooseTopics(person, profile.topics);
  await person.click("Готово ✓");
  await person.click("Готово ✓");
  if (profile.bio) await person.send(profile.bio);
  else await person.click("Пропустить");
  await person.click("Поддержки");
  await person.click("Непростые — да");
  await person.click("Любое время");
  await person.click("Готово ✓");
  await person.click("Нет, только когда ищу");
  await person.click("Пропустить");
  await person.expectMessage(/Профиль готов/);
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
  await a.expectMessage(/Вы на связи/);
  await b.expectMessage(/Вы на связи/);
  return [a, b];
}
