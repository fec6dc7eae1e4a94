/**
 * Conversation context, measured: one person's messages in one conversation, replayed through the
 * message detector and the context rule as the bot does. Reports how many at-risk conversations get
 * support at all — by single messages alone, and with context — and how many heavy-but-safe ones get a
 * false alarm either way.
 *
 *   npx tsx scripts/safety-context-eval.ts [--json]
 *
 * The sets in `corpus/safety/conversations/` are never trained or tuned on.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseJsonl, replayConversation } from "../src/domain/safety/evaluate.ts";
import { classifyMessage, warmUpSafety } from "../src/domain/safety/index.ts";
import { CORPUS_DIR } from "./lib/safety-corpus.ts";

interface Conversation {
  messages: string[];
  risk: boolean;
  kind: string;
}

warmUpSafety();
const dir = join(CORPUS_DIR, "conversations");
const out: Record<string, unknown> = {};
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith(".jsonl"))
  .sort()) {
  const rows = parseJsonl<Conversation>(readFileSync(join(dir, file), "utf8"));
  const byKind = new Map<string, { n: number; alone: number; context: number }>();
  for (const c of rows) {
    const readings = c.messages.map((text) => {
      const v = classifyMessage(text);
      return { r: v.crisisScore / Math.max(1e-6, v.crisisThreshold), cues: v.crisisCues, crisis: v.crisis };
    });
    const res = replayConversation(readings);
    const k = byKind.get(c.kind) ?? { n: 0, alone: 0, context: 0 };
    k.n++;
    if (res.alone !== null) k.alone++;
    if (res.withContext !== null) k.context++;
    byKind.set(c.kind, k);
  }
  const sum = (risk: boolean) => {
    const list = rows.filter((r) => r.risk === risk).map((r) => r.kind);
    const kinds = [...new Set(list)];
    const agg = kinds.reduce(
      (a, kind) => {
        const k = byKind.get(kind)!;
        return { n: a.n + k.n, alone: a.alone + k.alone, context: a.context + k.context };
      },
      { n: 0, alone: 0, context: 0 },
    );
    const rate = (x: number) => Math.round((x / Math.max(1, agg.n)) * 1000) / 1000;
    return { conversations: agg.n, messagesAlone: rate(agg.alone), withContext: rate(agg.context) };
  };
  out[file] = {
    atRisk_supportRate: sum(true),
    heavySafe_falseAlarmRate: sum(false),
    byKind: Object.fromEntries(byKind),
  };
}
if (process.argv.includes("--json")) console.log(JSON.stringify(out, null, 2));
else for (const [file, r] of Object.entries(out)) console.log(file, JSON.stringify(r, null, 1));
