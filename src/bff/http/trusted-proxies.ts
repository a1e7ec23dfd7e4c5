import { BlockList, isIP, isIPv6 } from 'node:net';

/**
 * Whether a connection's address is one of TRUSTED_PROXIES. The one place that decides trust: Fastify
 * asks it for each hop of X-Forwarded-For (so `request.ip`, and with it logs, audit lines and rate-limit
 * keys, is the client's address) and proxy sign-in asks it before believing identity headers.
 */
export type ProxyTrust = (address: string) => boolean;

/** The trust of TRUSTED_PROXIES entries (addresses or CIDR ranges, already checked by the configuration). */
export function proxyTrust(entries: readonly string[]): ProxyTrust {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return (address) => {
    // A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d; the list names it as a.b.c.d.
    const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/** What is wrong with TRUSTED_PROXIES entries, one sentence each (empty when all are addresses or CIDR ranges). */
export function trustedProxyProblems(entries: readonly string[]): string[] {
  const problems: string[] = [];
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const maxPrefix = family === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (family === 0 || extra !== undefined || !prefixOk) {
      problems.push(`TRUSTED_PROXIES entry ${entry} must be an IP address or a CIDR range like 10.0.0.0/24`);
    }
  }
  return problems;
}
