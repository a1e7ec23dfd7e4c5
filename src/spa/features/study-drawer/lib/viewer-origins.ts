/**
 * The origins a viewer link may open on, from GET /auth/config. Read defensively: an older BFF that
 * does not send the list allows nothing rather than everything.
 */
export function viewerOriginsFrom(config: unknown): string[] {
  if (typeof config !== 'object' || config === null || !('viewerOrigins' in config)) return [];
  const { viewerOrigins } = config;
  return Array.isArray(viewerOrigins)
    ? viewerOrigins.filter((origin): origin is string => typeof origin === 'string')
    : [];
}

/** Whether `url` is an http(s) URL on one of the allowed origins. */
export function isAllowedViewerUrl(url: string, allowedOrigins: readonly string[]): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && allowedOrigins.includes(parsed.origin);
}
