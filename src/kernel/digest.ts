import { hash } from 'node:crypto';

/**
 * Hex SHA-256 of text (UTF-8) or bytes: the stored form of single-use tokens and API keys, and
 * the checksum of migrations and backup entries. One-shot: no Hash object per call.
 */
export const sha256Hex = (data: string | Buffer): string => hash('sha256', data, 'hex');
