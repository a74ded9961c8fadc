import ipaddr from 'ipaddr.js';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

/**
 * SSRF guard for webhook targets: only public unicast addresses, unless the operator allows
 * private ones (ALLOW_PRIVATE_WEBHOOK_TARGETS, for tests and local development). The check runs
 * when an endpoint is saved and again inside every connection's DNS lookup, so a name that
 * later resolves to 127.0.0.1 or 169.254.169.254 (DNS rebinding) is refused too.
 */
export class TargetRefused extends Error {}

const MAX_URL_LENGTH = 2048;

/** Loopback, private, link-local (cloud metadata), CGNAT, multicast, reserved... all but public unicast. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** Why a URL cannot be a webhook target (scheme, credentials, length), or null. */
export function urlProblem(raw: string): string | null {
  if (raw.length > MAX_URL_LENGTH) return `longer than ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'only http and https URLs are accepted';
  if (url.username || url.password) return 'credentials in the URL are not accepted; put the secret in the path or rely on the signature';
  if (!url.hostname) return 'no host';
  return null;
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/** Resolves the URL's host and refuses it when any of its addresses is not public. */
export async function assertPublicTarget(raw: string, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = hostOf(new URL(raw));
  const addresses = isIP(host) ? [host] : await new Promise<string[]>((resolve, reject) =>
    dnsLookup(host, { all: true }, (error, found) => (error ? reject(new TargetRefused(`the host ${host} could not be resolved`)) : resolve(found.map((a) => a.address)))),
  );
  const refused = addresses.find((address) => !isPublicAddress(address));
  if (refused !== undefined) throw new TargetRefused(`the host resolves to ${refused}, which is not a public address`);
}

/** A `lookup` for http.request that refuses non-public addresses at connection time. */
export function guardedLookup(allowPrivate: boolean): LookupFunction | undefined {
  if (allowPrivate) return undefined;
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, found: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = found.find((a) => !isPublicAddress(a.address));
      if (refused) return callback(new TargetRefused(`${hostname} resolves to ${refused.address}, which is not a public address`), '', 0);
      if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, found);
      return callback(null, found[0]!.address, found[0]!.family);
    });
  };
}

/** IP literals skip `lookup`: they are checked here before connecting. */
export function assertLiteralAllowed(url: URL, allowPrivate: boolean): void {
  const host = hostOf(url);
  if (!allowPrivate && isIP(host) && !isPublicAddress(host)) throw new TargetRefused(`${host} is not a public address`);
}
