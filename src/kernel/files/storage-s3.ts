import { DeleteObjectCommand, GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import type { S3Config } from '../../config';
import { StoredObjectMissing, type ByteRange, type FileStorage } from './storage';

const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

/**
 * Files in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2, …). Uploads stream through a
 * multipart upload: at most `partSize` × (queueSize + 1) bytes are held at once, whatever the
 * file's size, and a failed upload is aborted so no part is left behind.
 */
export class S3Storage implements FileStorage {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly partSize: number;

  constructor(config: S3Config, maxFileBytes: number) {
    this.bucket = config.bucket;
    // S3 allows 10,000 parts: larger files need larger parts.
    this.partSize = Math.max(MIN_PART_BYTES, Math.ceil(maxFileBytes / MAX_PARTS));
    this.client = new S3Client({
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      credentials: config.credentials,
      // Several S3-compatible stores refuse the SDK's default CRC32 trailers; the FileStore
      // computes its own SHA-256 of every file anyway.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async write(key: string, body: Readable, contentType: string): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
      partSize: this.partSize,
      queueSize: 2,
      leavePartsOnError: false,
    });
    // When the body fails (too large, wrong type, client gone), that is the error to report, even if
    // aborting the multipart upload then fails too (the parts are left to the bucket's lifecycle rule).
    let bodyError: unknown;
    body.once('error', (error) => (bodyError = error));
    try {
      await upload.done();
    } catch (error) {
      throw bodyError ?? error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      );
      return object.Body as Readable;
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) throw new StoredObjectMissing(key);
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  close(): void {
    this.client.destroy();
  }
}
