/** Durations as people type them: `4h`, `90m`, `1h30m`, `2d`; a bare number is minutes. */
export function parseDuration(
  text: string,
): { ok: true; minutes: number } | { ok: false; error: string } {
  const t = text.trim().toLowerCase();
  const m = /^(?:(\d{1,4})d)?(?:(\d{1,5})h)?(?:(\d{1,6})m(?:in)?)?$/.exec(t);
  const bare = /^\d{1,6}$/.test(t);
  if (t === '' || (m === null && !bare))
    return {
      ok: false,
      error: `"${text.slice(0, 20)}" is not a duration: use e.g. 4h, 90m, 1h30m or 2d`,
    };
  const minutes = bare
    ? Number(t)
    : Number(m?.[1] ?? 0) * 1440 + Number(m?.[2] ?? 0) * 60 + Number(m?.[3] ?? 0);
  if (minutes < 1) return { ok: false, error: `"${text}" is not a positive duration` };
  return { ok: true, minutes };
}
