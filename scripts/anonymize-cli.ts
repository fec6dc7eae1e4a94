/**
 * Reads text on stdin and prints each line with personal data replaced by placeholders.
 * Usage: npm run anonymize < chat.txt; pseudonyms with --self=Name and --peer=Name (repeatable).
 */

import { createInterface } from "node:readline";
import { anonymize } from "../src/domain/anonymize.ts";

const selfNames: string[] = [];
const peerNames: string[] = [];
for (const arg of process.argv.slice(2)) {
  if (arg.startsWith("--self=")) selfNames.push(arg.slice("--self=".length));
  else if (arg.startsWith("--peer=")) peerNames.push(arg.slice("--peer=".length));
}

const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
for await (const line of rl) process.stdout.write(`${anonymize(line, { selfNames, peerNames })}\n`);
