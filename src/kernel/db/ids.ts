import { typeid } from 'typeid-js';

/**
 * Public ids: prefix + UUIDv7 in Crockford base32 (TypeID), e.g. `inv_01h455vb4pex5vsknk084sn02q`.
 * They sort by creation time and reveal no database serial.
 */
export function newId<P extends string>(prefix: P): `${P}_${string}` {
  return typeid(prefix).toString() as `${P}_${string}`;
}

const TYPEID = /^([a-z]([a-z_]{0,61}[a-z])?)_[0-7][0-9a-hjkmnp-tv-z]{25}$/;

/** True when value is a well-formed id with the given prefix (cheap guard before a lookup). */
export function isId(value: string, prefix: string): boolean {
  const match = TYPEID.exec(value);
  return match !== null && match[1] === prefix;
}
