/**
 * The origins CORS allows. In development each `localhost` origin also counts in its
 * `127.0.0.1` form: the CO prints and hands out 127.0.0.1 URLs, so a frontend opened from
 * them sends that Origin, and the two names are one machine. Other environments get
 * exactly the configured list.
 */
export function allowedCorsOrigins(development: boolean, configured: string[]): string[] {
  if (!development) return configured;
  const twins = configured.flatMap((origin) => {
    const url = new URL(origin);
    if (url.hostname !== "localhost") return [];
    url.hostname = "127.0.0.1";
    return [url.origin];
  });
  return [...new Set([...configured, ...twins])];
}
