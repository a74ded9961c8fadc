import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('configuration', () => {
  it('has working defaults for a first start', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      publicUrl: 'http://localhost:3000',
      dataDir: path.resolve('./data'),
      databaseUrl: undefined,
      logLevel: 'info',
      corsOrigins: [],
      dbPoolMax: 10,
    });
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      PUBLIC_URL: 'https://desk.example.com/',
      DATABASE_URL: 'postgres://app@db:5432/deskbase',
      DATA_DIR: '/var/lib/deskbase',
      LOG_LEVEL: 'WARN',
      REDIS_URL: 'redis://cache:6379',
      SMTP_URL: 'smtp://user:pass@mail:587',
      BOOTSTRAP_ADMIN_EMAIL: 'owner@example.com',
      BOOTSTRAP_ADMIN_PASSWORD: 'a-long-enough-password',
      CORS_ORIGINS: 'https://a.example.com, https://b.example.com',
      SECRET_KEY: 'x'.repeat(40),
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      publicUrl: 'https://desk.example.com',
      databaseUrl: 'postgres://app@db:5432/deskbase',
      dataDir: '/var/lib/deskbase',
      logLevel: 'warn',
      redisUrl: 'redis://cache:6379',
      smtpUrl: 'smtp://user:pass@mail:587',
      corsOrigins: ['https://a.example.com', 'https://b.example.com'],
    });
  });

  it('lists every bad value at once, with a clear message each', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://db/x',
        LOG_LEVEL: 'loud',
        REDIS_URL: 'not a url',
        SECRET_KEY: 'short',
        BOOTSTRAP_ADMIN_EMAIL: 'nobody',
        CORS_ORIGINS: 'example.com',
        TRUST_PROXY: 'maybe',
      });
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([
      'PORT must be a whole number between 0 and 65535 (got "eighty")',
      'DATABASE_URL must use postgres: or postgresql: (got "mysql:")',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      'SECRET_KEY must be at least 32 characters long (use `openssl rand -base64 48`)',
      'BOOTSTRAP_ADMIN_EMAIL is not a valid email address',
      'CORS_ORIGINS entry "example.com" must be an origin like https://app.example.com, or *',
      'REDIS_URL is not a valid URL',
      'TRUST_PROXY must be true or false (got "maybe")',
    ]);
    expect(error!.message).toContain('Invalid configuration:');
  });

  it('never echoes a secret value in its messages', () => {
    expect(() => loadConfig({ SECRET_KEY: 'tiny-secret' })).toThrow(ConfigError);
    try {
      loadConfig({ SECRET_KEY: 'tiny-secret', BOOTSTRAP_ADMIN_PASSWORD: 'short-pw' });
    } catch (error) {
      expect((error as Error).message).not.toMatch(/tiny-secret|short-pw/);
    }
  });

  it('reads the job queue settings, and keeps its shutdown grace within the server’s', () => {
    expect(loadConfig({}).jobs).toEqual({ pollIntervalMs: 2000, maintenanceIntervalSeconds: 60, retentionDays: 7, shutdownGraceMs: 5000 });
    expect(
      loadConfig({ JOBS_POLL_INTERVAL_MS: '500', JOBS_MAINTENANCE_INTERVAL_SECONDS: '10', JOBS_RETENTION_DAYS: '30', JOBS_SHUTDOWN_GRACE_MS: '0' }).jobs,
    ).toEqual({ pollIntervalMs: 500, maintenanceIntervalSeconds: 10, retentionDays: 30, shutdownGraceMs: 0 });
    expect(() => loadConfig({ JOBS_POLL_INTERVAL_MS: '10' })).toThrow('JOBS_POLL_INTERVAL_MS must be a whole number between 100 and 60000 (got "10")');
    expect(() => loadConfig({ JOBS_SHUTDOWN_GRACE_MS: '20000' })).toThrow('JOBS_SHUTDOWN_GRACE_MS (20000) must not exceed SHUTDOWN_TIMEOUT_MS (10000)');
    expect(loadConfig({ JOBS_SHUTDOWN_GRACE_MS: '20000', SHUTDOWN_TIMEOUT_MS: '30000' }).jobs.shutdownGraceMs).toBe(20000);
  });

  it('serves from one process unless WEB_CONCURRENCY asks for more, which only PostgreSQL allows', () => {
    const postgres = { DATABASE_URL: 'postgres://app@db:5432/deskbase' };
    expect(loadConfig({}).workers).toBe(1);
    expect(loadConfig({ ...postgres, WEB_CONCURRENCY: '4' }).workers).toBe(4);
    expect(loadConfig({ ...postgres, WEB_CONCURRENCY: 'auto' }).workers).toBe(os.availableParallelism());
    expect(loadConfig({ WEB_CONCURRENCY: '1' }).workers).toBe(1);
    expect(() => loadConfig({ WEB_CONCURRENCY: '2' })).toThrow('WEB_CONCURRENCY above 1 needs DATABASE_URL: the embedded database is opened by one process only');
    expect(() => loadConfig({ ...postgres, WEB_CONCURRENCY: '0' })).toThrow('WEB_CONCURRENCY must be a whole number between 1 and 256, or auto (got "0")');
    expect(() => loadConfig({ ...postgres, WEB_CONCURRENCY: 'many' })).toThrow('WEB_CONCURRENCY must be a whole number between 1 and 256, or auto (got "many")');
  });

  it('reads the mail delivery settings and refuses a rate of zero', () => {
    expect(loadConfig({}).mail).toEqual({ retryLimit: 6, retryDelaySeconds: 60, bulkRatePerMinute: 600 });
    expect(loadConfig({ MAIL_RETRY_LIMIT: '0', MAIL_RETRY_DELAY_SECONDS: '5', MAIL_BULK_RATE_PER_MINUTE: '840' }).mail).toEqual({ retryLimit: 0, retryDelaySeconds: 5, bulkRatePerMinute: 840 });
    expect(() => loadConfig({ MAIL_BULK_RATE_PER_MINUTE: '0' })).toThrow('MAIL_BULK_RATE_PER_MINUTE must be a whole number between 1 and 1000000 (got "0")');
    expect(() => loadConfig({ MAIL_RETRY_LIMIT: 'many' })).toThrow('MAIL_RETRY_LIMIT must be a whole number between 0 and 20 (got "many")');
  });
});

describe('file storage configuration', () => {
  it('defaults to 25 MB, the common office types, 7-day links and DATA_DIR', () => {
    const { files } = loadConfig({});
    expect(files).toMatchObject({ maxBytes: 26_214_400, linkMaxSeconds: 604_800, s3: undefined });
    expect(files.allowedTypes).toEqual(expect.arrayContaining(['application/pdf', 'image/png', 'text/plain', 'text/csv']));
  });

  it('reads the limit, the types and an S3 store', () => {
    const { files } = loadConfig({
      FILE_MAX_BYTES: '1048576',
      FILE_ALLOWED_TYPES: 'application/pdf, image/*',
      FILE_LINK_MAX_SECONDS: '3600',
      S3_BUCKET: 'desk',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_FORCE_PATH_STYLE: 'true',
    });
    expect(files).toEqual({
      maxBytes: 1_048_576,
      allowedTypes: ['application/pdf', 'image/*'],
      linkMaxSeconds: 3600,
      s3: { bucket: 'desk', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', credentials: { accessKeyId: 'id', secretAccessKey: 'secret' }, forcePathStyle: true },
    });
    expect(loadConfig({ S3_BUCKET: 'desk' }).files.s3).toEqual({ bucket: 'desk', region: 'us-east-1', endpoint: undefined, credentials: undefined, forcePathStyle: false });
  });

  it('explains what is wrong with file and S3 settings', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ FILE_MAX_BYTES: '0', FILE_ALLOWED_TYPES: 'pdf,image/*', S3_ENDPOINT: 'ftp://x', S3_ACCESS_KEY_ID: 'id', S3_FORCE_PATH_STYLE: 'sure' });
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error?.problems).toEqual([
      'FILE_ALLOWED_TYPES entry "pdf" must be a media type like application/pdf, a family like image/*, or */*',
      'S3_ENDPOINT must use http: or https: (got "ftp:")',
      'S3_FORCE_PATH_STYLE must be true or false (got "sure")',
      'S3_BUCKET is required when other S3_* variables are set (unset them all to store files in DATA_DIR)',
      'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together (or neither, for the default AWS credential chain)',
      expect.stringContaining('FILE_MAX_BYTES must be a whole number between 1 and'),
    ]);
  });
});
