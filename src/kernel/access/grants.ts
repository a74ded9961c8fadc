import { BlockList, isIP } from 'node:net';
import { grants as permissionGrants } from './permissions';

/** Seed 000's conditional permissions: each may narrow an allow (or a deny). */
export interface GrantConditions {
  /** Only records the caller owns (`resource_owner_id` must be the caller). */
  own_records_only?: boolean;
  /** Only records of this department, or `own` for the caller's department. */
  department?: string;
  /** Only from these addresses (CIDR or single IPs). */
  ip_ranges?: string[];
  /** Only in this window (HH:MM, 24 h) on these ISO weekdays (1 = Monday), in `timezone` (IANA, default UTC). */
  time_window?: { start: string; end: string; days?: number[]; timezone?: string };
}

export interface Grant {
  permission: string;
  effect: 'allow' | 'deny';
  conditions?: GrantConditions;
  /** Which role the grant came from, for explanations. */
  source?: string;
}

export interface AccessContext {
  userId: string;
  userDepartment?: string | null;
  ipAddress?: string | null;
  at: Date;
  resourceOwnerId?: string | null;
  resourceDepartment?: string | null;
}

export interface Decision {
  allowed: boolean;
  reason: string;
  grant?: Grant;
  /** Conditions that could not be checked without the resource (owner, department). */
  pending?: GrantConditions;
}

function minutesIn(at: Date, timezone: string) {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', weekday: 'short', hour12: false }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
  return { minutes: Number(get('hour')) * 60 + Number(get('minute')), weekday };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function ipAllowed(ip: string, ranges: string[]): boolean {
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  const list = new BlockList();
  for (const range of ranges) {
    const [address, prefix] = range.split('/');
    const rangeFamily = isIP(address ?? '') === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address!, rangeFamily);
    else list.addSubnet(address!, Number(prefix), rangeFamily);
  }
  return list.check(ip, family);
}

/** Returns why the conditions fail, null when they hold, or the conditions still to check on the resource. */
function checkConditions(conditions: GrantConditions | undefined, context: AccessContext): { failure: string | null; pending?: GrantConditions } {
  if (!conditions) return { failure: null };
  const pending: GrantConditions = {};
  if (conditions.ip_ranges?.length) {
    if (!context.ipAddress || !ipAllowed(context.ipAddress, conditions.ip_ranges)) return { failure: `address ${context.ipAddress ?? 'unknown'} is outside ${conditions.ip_ranges.join(', ')}` };
  }
  if (conditions.time_window) {
    const window = conditions.time_window;
    const { minutes, weekday } = minutesIn(context.at, window.timezone ?? 'UTC');
    const [start, end] = [toMinutes(window.start), toMinutes(window.end)];
    const inside = start <= end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
    if (!inside || (window.days && !window.days.includes(weekday))) return { failure: `outside the allowed time window ${window.start}-${window.end}` };
  }
  if (conditions.own_records_only) {
    if (context.resourceOwnerId === undefined) pending.own_records_only = true;
    else if (context.resourceOwnerId !== context.userId) return { failure: 'the record belongs to someone else' };
  }
  if (conditions.department) {
    const wanted = conditions.department === 'own' ? context.userDepartment : conditions.department;
    if (context.resourceDepartment === undefined) pending.department = conditions.department;
    else if (!wanted || context.resourceDepartment !== wanted) return { failure: `the record is outside department ${wanted ?? '(none)'}` };
  }
  return { failure: null, pending: Object.keys(pending).length > 0 ? pending : undefined };
}

/**
 * Deny wins over allow (a child role overrides its parent by denying); an allow counts only when
 * its conditions hold. Conditions that need the resource are returned as `pending` for the
 * service that loads it.
 */
export function evaluate(grantList: readonly Grant[], permission: string, context: AccessContext): Decision {
  const matching = grantList.filter((g) => permissionGrants(g.permission, permission));
  for (const grant of matching.filter((g) => g.effect === 'deny')) {
    if (checkConditions(grant.conditions, context).failure === null) return { allowed: false, reason: `denied by ${grant.permission}${grant.source ? ` in role ${grant.source}` : ''}`, grant };
  }
  const failures: string[] = [];
  for (const grant of matching.filter((g) => g.effect === 'allow')) {
    const { failure, pending } = checkConditions(grant.conditions, context);
    if (failure === null) return { allowed: true, reason: `granted by ${grant.permission}${grant.source ? ` in role ${grant.source}` : ''}`, grant, pending };
    failures.push(failure);
  }
  return { allowed: false, reason: failures.length > 0 ? failures.join('; ') : `no grant for ${permission}` };
}
