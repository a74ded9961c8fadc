/**
 * Permission strings are `resource:action` with `*` wildcards on either side (`invoice:*`,
 * `*:read`, `*:*`). `admin:all` is seed 003's spelling of "every action of the admin role".
 */
export function grants(granted: string, wanted: string): boolean {
  if (granted === wanted || granted === '*:*' || granted === '*') return true;
  const [gResource, gAction] = granted.split(':');
  const [wResource, wAction] = wanted.split(':');
  return (gResource === '*' || gResource === wResource) && (gAction === '*' || gAction === 'all' || gAction === wAction);
}

export function hasPermission(permissions: readonly string[], wanted: string): boolean {
  return permissions.some((granted) => grants(granted, wanted));
}

const PERMISSION = /^(\*|[a-z][a-z0-9_-]{0,49}):(\*|[a-z][a-z0-9_-]{0,49})$/;
export const isPermission = (value: string) => PERMISSION.test(value) || value === '*';

/**
 * Resources that span every organization (the tenants themselves, backups of all their data):
 * only a holder may hand them out, so an organization's admin cannot write a custom role that
 * reaches beyond the organization. A `*` resource counts as all of them.
 */
const PLATFORM_RESOURCES = new Set(['organization', 'backup']);

export function reachesPlatform(permission: string): boolean {
  const resource = permission === '*' ? '*' : permission.split(':')[0]!;
  return resource === '*' || PLATFORM_RESOURCES.has(resource);
}
