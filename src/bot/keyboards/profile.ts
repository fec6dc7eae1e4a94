import { InlineKeyboard } from "grammy";
import { WINDOWS } from "../../domain/availability.ts";
import { CITY_ALIASES, CITY_ZONES, normalizePlace } from "../../domain/timezone.ts";
import type { TopicGroupInfo } from "../../services/profile.ts";
import { type ProfileAction, profileButton, profileCard, searchButton } from "../callbacks.ts";
import { EDITABLE_STEPS, type ProfileStep } from "../profile-steps.ts";

type T = (key: string, vars?: Record<string, string | number>) => string;

/** Callback data of a button inside a profile step (`callbacks.ts`: `p:<step>:<action>[:<arg>]`). */
export const cb = (step: ProfileStep, action: ProfileAction, arg?: string | number) =>
  profileButton.pack(arg === undefined ? { step, action } : { step, action, arg: String(arg) });

/** «Назад» and «Отмена» under a step; «Пропустить» too where the step is optional («more»). */
export function navRow(
  kb: InlineKeyboard,
  t: T,
  step: ProfileStep,
  opts: { back?: boolean; cancel?: boolean; skip?: boolean } = {},
) {
  if (opts.skip) kb.row().text(t("btn-skip"), cb(step, "skip"));
  kb.row();
  if (opts.back !== false) kb.text(t("btn-back"), cb(step, "back"));
  if (opts.cancel !== false) kb.text(t("btn-cancel"), cb(step, "cancel"));
  return kb;
}

/** Suggested pseudonyms, one tap each; typing one's own works too. */
export function nicknameKeyboard(t: T, suggestions: string[]) {
  const kb = new InlineKeyboard();
  suggestions.forEach((s, i) => {
    kb.text(s, cb("nickname", "pick", i));
    if (i % 2 === 1) kb.row();
  });
  kb.row().text(t("btn-more-nicknames"), cb("nickname", "more"));
  return navRow(kb, t, "nickname", { back: false });
}

/**
 * Cities shown as buttons: Russia's biggest zones and the cities where many Russian speakers live
 * now. Any other place is typed («Другой город…»).
 */
const BUTTON_CITIES = [
  "Москва",
  "Санкт-Петербург",
  "Калининград",
  "Самара",
  "Екатеринбург",
  "Новосибирск",
  "Красноярск",
  "Иркутск",
  "Владивосток",
  "Минск",
  "Киев",
  "Алматы",
  "Ташкент",
  "Бишкек",
  "Тбилиси",
  "Ереван",
  "Баку",
  "Белград",
  "Стамбул",
  "Тель-Авив",
  "Берлин",
  "Варшава",
  "Рига",
  "Лимасол",
] as const;

export const TIMEZONE_BUTTONS = BUTTON_CITIES.map((label) => {
  const city = CITY_ZONES.find((c) => c.label === label) ?? CITY_ALIASES.get(normalizePlace(label));
  if (!city) throw new Error(`no time zone for the city button ${label}`);
  return city;
});

export function timezoneKeyboard(t: T, step: ProfileStep = "timezone") {
  const kb = new InlineKeyboard();
  TIMEZONE_BUTTONS.forEach((c, i) => {
    kb.text(c.label, cb(step, "city", i));
    if (i % 3 === 2) kb.row();
  });
  kb.row().text(t("btn-timezone-other"), cb(step, "other"));
  return navRow(kb, t, step);
}

/** Group list with a count of chosen topics in each group. */
export function topicGroupsKeyboard(
  t: T,
  step: "topics" | "wishlist",
  groups: TopicGroupInfo[],
  chosen: Set<number>,
) {
  const kb = new InlineKeyboard();
  groups.forEach((g, i) => {
    const n = g.topics.filter((x) => chosen.has(x.id)).length;
    kb.text(n > 0 ? `${g.title} (${n})` : g.title, cb(step, "group", i)).row();
  });
  kb.text(t("btn-done"), cb(step, "done"));
  if (step === "wishlist") kb.text(t("btn-skip"), cb(step, "skip"));
  return navRow(kb, t, step);
}

/** One group's topics as toggles; «Назад» and «Отмена» act on the whole step, as on the group list. */
export function topicToggleKeyboard(
  t: T,
  step: "topics" | "wishlist",
  group: TopicGroupInfo,
  chosen: Set<number>,
) {
  const kb = new InlineKeyboard();
  group.topics.forEach((x, i) => {
    kb.text(chosen.has(x.id) ? `✅ ${x.title}` : x.title, cb(step, "topic", x.id));
    if (i % 2 === 1) kb.row();
  });
  kb.row().text(t("btn-to-groups"), cb(step, "groups")).text(t("btn-done"), cb(step, "done"));
  return navRow(kb, t, step);
}

/** Each topic with its weight in words; a tap opens that topic's three weights. */
export function weightsKeyboard(t: T, titles: Map<number, string>, selected: Record<string, number>) {
  const kb = new InlineKeyboard();
  for (const [id, weight] of Object.entries(selected)) {
    kb.text(`${titles.get(Number(id)) ?? id} — ${t(`weight-${weight}`)}`, cb("weights", "topic", id)).row();
  }
  kb.text(t("btn-done"), cb("weights", "done"));
  return navRow(kb, t, "weights");
}

/** One topic's weights, the current one ticked: a tap sets exactly what was pressed. */
export function weightChoiceKeyboard(t: T, topicId: number, current: number) {
  const kb = new InlineKeyboard();
  for (const w of [1, 2, 3]) {
    const label = t(`weight-${w}`);
    kb.text(w === current ? `✅ ${label}` : label, cb("weights", "set", `${topicId}-${w}`));
  }
  return kb.row().text(t("btn-to-weights"), cb("weights", "list"));
}

/** After the first steps: the search, or the optional rest of the profile. */
export function readyKeyboard(t: T) {
  return new InlineKeyboard()
    .text(t("btn-find"), searchButton.pack({ action: "find" }))
    .row()
    .text(t("btn-profile-more"), profileCard.pack({ action: "more" }));
}

export function bioKeyboard(t: T, hasBio: boolean) {
  const kb = new InlineKeyboard().text(t("btn-skip"), cb("bio", "skip"));
  if (hasBio) kb.text(t("btn-clear-bio"), cb("bio", "clear"));
  return navRow(kb, t, "bio");
}

export function choiceKeyboard(
  t: T,
  step: ProfileStep,
  options: Array<{ key: string; value: string }>,
  skip = false,
) {
  const kb = new InlineKeyboard();
  for (const o of options) kb.text(t(o.key), cb(step, "set", o.value)).row();
  return navRow(kb, t, step, { skip });
}

export function availabilityKeyboard(t: T, mask: number, skip = false) {
  const kb = new InlineKeyboard();
  WINDOWS.forEach((w, bit) => {
    const on = (mask & (1 << bit)) !== 0;
    kb.text(on ? `✅ ${t(`window-${w}`)}` : t(`window-${w}`), cb("availability", "toggle", bit));
    if (bit % 2 === 1) kb.row();
  });
  kb.row().text(t("btn-any-time"), cb("availability", "all")).text(t("btn-done"), cb("availability", "done"));
  return navRow(kb, t, "availability", { skip });
}

export function profileCardKeyboard(t: T) {
  const kb = new InlineKeyboard();
  EDITABLE_STEPS.forEach((f, i) => {
    kb.text(`✏️ ${t(`btn-edit-${f}`)}`, profileCard.pack({ action: "edit", field: f }));
    if (i % 3 === 2) kb.row();
  });
  return kb;
}
