/**
 * Reads one message per line on stdin and prints one JSON verdict per line:
 * {"toxic":bool,"crisis":bool,"labels":[...],"severity":0-3}. Usage: npm run safety < messages.txt
 */

import { createInterface } from "node:readline";
import { classifyMessage } from "../src/domain/safety/index.ts";

const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
for await (const line of rl) {
  const { toxic, crisis, labels, severity } = classifyMessage(line);
  process.stdout.write(`${JSON.stringify({ toxic, crisis, labels, severity })}\n`);
}
