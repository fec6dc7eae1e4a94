/** Times shown to people and moderators: minutes, in UTC, said so («2026-05-01 10:00 UTC»). */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
