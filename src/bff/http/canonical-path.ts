/**
 * One spelling for every path, decided before routing: the router, the access check, the rate limit
 * and the log all see the same path, so no spelling of a URL can reach a route under a different
 * name than the one its access rule was declared for.
 *
 * The path (never the query) is percent-decoded once, `;parameters` are dropped from each segment,
 * empty segments (doubled or trailing slashes) are removed and dot segments resolved, as a reverse
 * proxy such as nginx normalizes `$uri`. Each segment is then written again percent-encoded, so the
 * router's own single decoding yields exactly the decoded segment: `%2525` stays the text `%25`, and
 * an encoded `?` or `#` stays inside its segment. Letter case is left to the router, which matches
 * fixed segments in any case and keeps parameters as sent.
 *
 * A path whose percent-encoding is broken (`%zz`, a lone `%`, invalid UTF-8) is returned as it came:
 * the router refuses it as a bad request.
 */
export function canonicalUrl(url: string): string {
  if (!url.startsWith('/')) return url;
  const queryAt = firstIndexOf(url, '?', '#');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const rest = queryAt === -1 ? '' : url.slice(queryAt);
  if (!NEEDS_WORK.test(path)) return url;

  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return url;
  }
  const segments: string[] = [];
  for (const raw of decoded.split('/')) {
    const semicolon = raw.indexOf(';');
    const segment = semicolon === -1 ? raw : raw.slice(0, semicolon);
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  return `/${segments.map(encodeURIComponent).join('/')}${rest}`;
}

/** Percent signs, `;`, empty or dot segments, a trailing slash: anything `canonicalUrl` would change. */
const NEEDS_WORK = /%|;|\/\/|\/\.\.?(\/|$)|.\/$/;

function firstIndexOf(text: string, ...characters: string[]): number {
  let first = -1;
  for (const character of characters) {
    const at = text.indexOf(character);
    if (at !== -1 && (first === -1 || at < first)) first = at;
  }
  return first;
}
