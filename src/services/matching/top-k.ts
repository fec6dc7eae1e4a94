import type { IndexHit } from "./candidate-index.ts";

/**
 * Keeps the best k by (searching first, score desc, user id asc) in a binary heap whose root is the
 * worst kept, so each offer is O(log k).
 */
export class TopK {
  private readonly scores: number[] = [];
  private readonly ids: number[] = [];
  private readonly searching: boolean[] = [];
  constructor(private readonly k: number) {}

  size(): number {
    return this.ids.length;
  }

  /** True when entry i ranks worse than entry j. */
  private worse(i: number, j: number): boolean {
    const si = this.searching[i]!;
    const sj = this.searching[j]!;
    if (si !== sj) return sj;
    const a = this.scores[i]!;
    const b = this.scores[j]!;
    if (a !== b) return a < b;
    return this.ids[i]! > this.ids[j]!;
  }

  private swap(i: number, j: number): void {
    const s = this.scores[i]!;
    this.scores[i] = this.scores[j]!;
    this.scores[j] = s;
    const d = this.ids[i]!;
    this.ids[i] = this.ids[j]!;
    this.ids[j] = d;
    const f = this.searching[i]!;
    this.searching[i] = this.searching[j]!;
    this.searching[j] = f;
  }

  offer(score: number, userId: number, searching: boolean): void {
    if (this.k <= 0) return;
    const n = this.ids.length;
    if (n < this.k) {
      this.scores.push(score);
      this.ids.push(userId);
      this.searching.push(searching);
      let i = n;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.worse(i, p)) break;
        this.swap(i, p);
        i = p;
      }
      return;
    }
    // Compare with the root (the worst kept): replace only if the newcomer ranks better.
    const rs = this.searching[0]!;
    if (rs !== searching ? rs : score !== this.scores[0] ? score < this.scores[0]! : userId > this.ids[0]!)
      return;
    this.scores[0] = score;
    this.ids[0] = userId;
    this.searching[0] = searching;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.worse(l, m)) m = l;
      if (r < n && this.worse(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }

  sorted(): IndexHit[] {
    const out: IndexHit[] = this.ids.map((userId, i) => ({
      userId,
      score: this.scores[i]!,
      searching: this.searching[i]!,
    }));
    out.sort((a, b) =>
      a.searching !== b.searching ? (a.searching ? -1 : 1) : b.score - a.score || a.userId - b.userId,
    );
    return out;
  }
}
