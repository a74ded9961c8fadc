import { TypeID, typeid } from 'typeid-js';
import { isId } from '../db/ids';

/**
 * A job has one identity in two spellings: pg-boss's UUID in the database, and `job_…` (the same
 * 128 bits as a TypeID) in the API. A new job gets a UUIDv7, so its public id sorts by creation
 * time like every other id; no mapping table is needed.
 */
export const newJobUuid = (): string => typeid('job').toUUID();

export const publicJobId = (uuid: string): string => TypeID.fromUUID('job', uuid).toString();

/** The UUID behind a public id, or null when it is not a well-formed `job_…` id. */
export function jobUuidOf(id: string): string | null {
  return isId(id, 'job') ? TypeID.fromString(id, 'job').toUUID() : null;
}
