import { chmodSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * DATA_DIR holds the embedded database (ids, bios, report comments) and the generated secrets: only the
 * service's own user may read it. The folder itself is 0700, so nothing in it is reachable by anyone
 * else whatever the files' own modes; on top, every folder and file is made owner-only at start-up (what
 * an older version left at 0755/0644) and again at shutdown (the embedded database creates its files
 * 0666 while it runs).
 */
export function secureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  restrictTree(dir);
}

export function restrictTree(path: string): void {
  const st = statSync(path);
  if (st.isDirectory()) {
    if ((st.mode & 0o077) !== 0) chmodSync(path, 0o700);
    for (const entry of readdirSync(path)) restrictTree(join(path, entry));
  } else if ((st.mode & 0o077) !== 0) {
    chmodSync(path, 0o600);
  }
}
