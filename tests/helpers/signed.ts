/**
 * A timestamp for a signed internal request, never the same twice in this process: the same body signed
 * with the same timestamp is a replay, and the server refuses it.
 */
let last = 0;
export function nextTimestamp(): number {
  last = Math.max(Date.now(), last + 1);
  return last;
}
