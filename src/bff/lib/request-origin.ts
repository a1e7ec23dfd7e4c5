import type { FastifyRequest } from 'fastify';

const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$/;

/**
 * The origin the person used to reach this server (scheme and Host), or undefined when the Host
 * header is not a plain host name or address. Only ever used to answer that same person.
 */
export function requestOrigin(request: Pick<FastifyRequest, 'protocol' | 'host'>): string | undefined {
  return HOST.test(request.host) ? `${request.protocol}://${request.host.toLowerCase()}` : undefined;
}

/**
 * A launch link of the bundled server, moved to the origin the person is using: it names the
 * BFF's configured address (PUBLIC_URL), but the person's session lives on the origin they typed.
 */
export function onPersonsOrigin(
  url: string,
  launchOrigin: string | undefined,
  request: Pick<FastifyRequest, 'protocol' | 'host'>,
): string {
  if (!launchOrigin || !URL.canParse(url)) return url;
  const parsed = new URL(url);
  const own = requestOrigin(request);
  if (parsed.origin !== launchOrigin || !own || !parsed.pathname.startsWith('/launch/')) return url;
  return `${own}${parsed.pathname}${parsed.search}`;
}
