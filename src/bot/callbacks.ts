/**
 * Every inline button family of the bot, in one place: what each button carries. Features build
 * buttons with `pack`, register handlers with `filter` (or an exact `pack`ed value), and read the
 * values with `unpack`. Data stays short and stable (`p:topics:topic:12`), well under 64 bytes.
 */

import { REPORT_REASONS } from "../domain/report-reasons.ts";
import { TIMER_HOURS } from "../services/chats.ts";
import { MODERATOR_ACTIONS } from "../services/moderation/index.ts";
import { callbackCodec, country, id, numberIn, oneOf, token } from "./callback-data.ts";
import { PROFILE_STEPS } from "./profile-steps.ts";

const yesNo = oneOf(["yes", "no"]);

// ---------------------------------------------------------------- onboarding and profile

/** The welcome card's one answer: «Мне есть 18, принимаю правила» or «Мне нет 18». */
export const welcomeAnswer = callbackCodec("ob", { answer: oneOf(["accept", "minor"]) });

/** What a button inside a profile step does (its handler in `features/profile/buttons.ts` has the same name). */
const PROFILE_ACTIONS = [
  "back",
  "cancel",
  "skip",
  "more",
  "pick",
  "other",
  "city",
  "group",
  "groups",
  "topic",
  "done",
  "list",
  "set",
  "clear",
  "toggle",
  "all",
] as const;
export type ProfileAction = (typeof PROFILE_ACTIONS)[number];

/** A button inside a profile step: `p:<step>:<action>[:<arg>]`. */
export const profileButton = callbackCodec(
  "p",
  { step: oneOf(PROFILE_STEPS), action: oneOf(PROFILE_ACTIONS), arg: token },
  "arg",
);

/** Under the profile card: edit one field, or tell more. */
export const profileCard = callbackCodec(
  "p:card",
  { action: oneOf(["edit", "more"]), field: oneOf(PROFILE_STEPS) },
  "field",
);

// ---------------------------------------------------------------- matching and conversation

/** «🔍 Найти собеседника» under «Можно искать», and «Отменить поиск». */
export const searchButton = callbackCodec("m", { action: oneOf(["find", "cancel"]) });
/** ✅ (`a`) or ➖ (`d`) on a proposal. */
export const proposalAnswer = callbackCodec("m", { answer: oneOf(["a", "d"]), match: id });

export const endChatAnswer = callbackCodec("c:end", { answer: yesNo });
export const timerOffer = callbackCodec("c:tm:offer", { hours: numberIn(TIMER_HOURS) });
export const timerAnswer = callbackCodec("c:tm", { answer: yesNo, session: id });
export const extendAnswer = callbackCodec("c:ext", { answer: yesNo, session: id });
export const RATING_STARS = [1, 2, 3, 4, 5] as const;
export const rating = callbackCodec("c:rate", { session: id, stars: numberIn(RATING_STARS) });
/** «Отправить всё равно» / «Не отправлять» on a message that looks like a contact. */
export const piiAnswer = callbackCodec("c:pii", { answer: oneOf(["send", "drop"]), message: id });

// ---------------------------------------------------------------- tips

export const tipMenu = callbackCodec("t:menu", { session: id });
export const tipPreset = callbackCodec("t:p", { session: id, amount: id });
export const tipCustom = callbackCodec("t:c", { session: id });

// ---------------------------------------------------------------- coach

export const coachHint = callbackCodec("ai:h", { session: id });
export const coachSend = callbackCodec("ai:s", { hint: id });
export const coachToggle = callbackCodec("ai", { state: oneOf(["on", "off"]) });
export const coachShare = callbackCodec("ai:share", { answer: oneOf(["yes", "no", "toggle"]) });

// ---------------------------------------------------------------- help, crisis, safety

/** «🆘 Помощь» (`s:sos`), «🌍 Другая страна» (`s:sos:pick`), a country (`s:sos:GE`). */
export const sosButton = callbackCodec(
  "s:sos",
  { choice: { ...country, pattern: "(?:pick|[A-Z]{2})" } },
  "choice",
);
/** «☎️ Номер не сработал?» under a help list (`s:bad:GE`), and the number picked (`s:bad:GE:12`). */
export const sosProblem = callbackCodec("s:bad", { country, entry: id }, "entry");
/**
 * «💛 Беспокоюсь за собеседника» under the help list in a chat (`s:worry:ask:<session>`), and the
 * confirmation: bound to that conversation, so an old button never reaches a later peer.
 */
export const peerConcern = callbackCodec("s:worry", { answer: oneOf(["ask", "yes", "no"]), session: id });
/** The offer of a check-in tomorrow, and the answer to «Как ты сейчас?». */
export const checkInOffer = callbackCodec("ci", { answer: yesNo });
export const checkInAnswer = callbackCodec("ci:a", {
  checkIn: id,
  answer: oneOf(["better", "same", "worse"]),
});

/** «Больше не присылать» under a weekly digest (its run). */
export const digestStop = callbackCodec("dg:stop", { run: id });

export const reportReason = callbackCodec("rp:r", { session: id, reason: oneOf(REPORT_REASONS) });
export const reportDraft = callbackCodec("rp", { action: oneOf(["send", "cancel"]) });
export const blockAnswer = callbackCodec("bl", { answer: yesNo });
export const deleteAnswer = callbackCodec("del", { answer: yesNo });

// ---------------------------------------------------------------- moderators' chat

/** What a moderator's button is about: a report (`r`), a person (`u`), an appeal (`a`). */
const modSubject = oneOf(["r", "u", "a"]);
export const modEvidence = callbackCodec("mod:evidence", { kind: oneOf(["r"]), report: id });
export const modText = callbackCodec("mod:text", { kind: oneOf(["r", "a"]), target: id });
export const modAction = callbackCodec("mod", {
  action: oneOf([...MODERATOR_ACTIONS, "grant", "reject"]),
  kind: modSubject,
  target: id,
});
