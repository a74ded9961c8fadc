import os from 'node:os';
import path from 'node:path';

/** Every environment variable Deskbase reads, typed and validated in one place. */
export interface Config {
  env: string;
  port: number;
  host: string;
  /** Server processes (node:cluster workers) sharing the port; 1 serves from this process alone. */
  workers: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  dbPoolMax: number;
  dbStatementTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  redisUrl: string | undefined;
  smtpUrl: string | undefined;
  /** From header of every email: `Name <address>` or a bare address. */
  mailFrom: string;
  secretKey: string | undefined;
  bootstrapAdminEmail: string | undefined;
  bootstrapAdminPassword: string | undefined;
  corsOrigins: string[];
  bodyLimitBytes: number;
  trustProxy: boolean;
  shutdownTimeoutMs: number;
  metricsToken: string | undefined;
  identity: {
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    refreshReuseGraceSeconds: number;
    lockoutMaxAttempts: number;
    lockoutMinutes: number;
    requireAdminApproval: boolean;
  };
  webhooks: {
    /** Lets webhook URLs reach loopback and private networks (tests, local development). */
    allowPrivateTargets: boolean;
  };
  /** Delivery of email through SMTP (kernel/mail, docs/email.md). */
  mail: {
    /** Attempts after the first failed one (temporary refusals, connection errors). */
    retryLimit: number;
    /** Wait before the first retry; it doubles on each next one, plus up to 100% jitter. */
    retryDelaySeconds: number;
    /** Bulk messages handed to the SMTP server per minute, across all instances. */
    bulkRatePerMinute: number;
  };
  /** The job queue (kernel/jobs, docs/jobs.md). */
  jobs: {
    /** How often an idle worker looks for due jobs (new jobs wake it at once). */
    pollIntervalMs: number;
    /** How often jobs left behind by a crashed instance are looked for, and old jobs archived. */
    maintenanceIntervalSeconds: number;
    /** How long finished jobs (status, progress, result) stay readable. */
    retentionDays: number;
    /** On shutdown, how long running jobs may finish before they are interrupted (and retried elsewhere). */
    shutdownGraceMs: number;
  };
  /** Stored files (kernel/files, docs/files.md). */
  files: {
    /** Largest accepted file, in bytes. */
    maxBytes: number;
    // Types accepted by default, detected from the content: `type/subtype`, `type/*` or `*/*`.
    allowedTypes: string[];
    /** Longest lifetime of a signed download link. */
    linkMaxSeconds: number;
    /** Set when S3_BUCKET is: files go to an S3-compatible store instead of DATA_DIR/files. */
    s3: S3Config | undefined;
  };
  /** Encrypted backups (kernel/backups, docs/backups.md). */
  backups: {
    /** Unset: a key generated once and kept in DATA_DIR/backup.key. */
    encryptionKey: Buffer | undefined;
    /** Keys of earlier backups, kept so that those stay restorable after a rotation. */
    previousKeys: Buffer[];
  };
  /** Request budgets per policy (kernel/ratelimit, docs/rate-limits.md). */
  rateLimit: {
    enabled: boolean;
    authPerMinute: number;
    profilePerMinute: number;
    adminPerMinute: number;
    bulkPerHour: number;
    uploadPerHour: number;
    defaultPerMinute: number;
  };
}

export interface S3Config {
  bucket: string;
  region: string;
  /** Unset: AWS's own endpoint for the region. */
  endpoint: string | undefined;
  /** Unset: the AWS SDK's default credential chain (environment, instance role, …). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** `bucket` in the path instead of the host name (MinIO, Ceph, most self-hosted stores). */
  forcePathStyle: boolean;
}

/** What most back offices exchange: PDF, images, Office documents, plain text and CSV. */
export const DEFAULT_ALLOWED_FILE_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'text/plain',
  'text/csv',
];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads and validates the environment; throws ConfigError listing every bad value at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const str = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be a whole number between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const url = (name: string, protocols: string[]) => {
    const raw = str(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return raw;
  };
  const bool = (name: string, fallback: boolean) => {
    const raw = str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };

  const port = int('PORT', 3000, 0, 65535);
  const host = str('HOST') ?? '0.0.0.0';
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const workers = workerCount(str('WEB_CONCURRENCY'), problems);
  if (workers > 1 && !databaseUrl) {
    problems.push('WEB_CONCURRENCY above 1 needs DATABASE_URL: the embedded database is opened by one process only');
  }
  const publicUrl = url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`;

  const logLevel = (str('LOG_LEVEL')?.toLowerCase() ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }

  const secretKey = str('SECRET_KEY');
  if (secretKey !== undefined && Buffer.byteLength(secretKey) < 32) {
    problems.push('SECRET_KEY must be at least 32 characters long (use `openssl rand -base64 48`)');
  }

  const bootstrapAdminEmail = str('BOOTSTRAP_ADMIN_EMAIL');
  if (bootstrapAdminEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(bootstrapAdminEmail)) {
    problems.push('BOOTSTRAP_ADMIN_EMAIL is not a valid email address');
  }
  const bootstrapAdminPassword = str('BOOTSTRAP_ADMIN_PASSWORD');
  if (bootstrapAdminPassword !== undefined && bootstrapAdminPassword.length < 12) {
    problems.push('BOOTSTRAP_ADMIN_PASSWORD must be at least 12 characters long');
  }

  // A display name and an address, or a bare address; no line breaks (they would inject headers).
  const mailFrom = str('MAIL_FROM') ?? 'Deskbase <no-reply@localhost>';
  if (!/^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(mailFrom)) {
    problems.push('MAIL_FROM must be an address like no-reply@example.com or "Deskbase <no-reply@example.com>"');
  }

  const corsOrigins = (str('CORS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(`CORS_ORIGINS entry "${origin}" must be an origin like https://app.example.com, or *`);
    }
  }

  const allowedTypes = (str('FILE_ALLOWED_TYPES') ?? DEFAULT_ALLOWED_FILE_TYPES.join(','))
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  for (const type of allowedTypes) {
    if (!/^(?:\*\/\*|[a-z0-9][\w.+-]*\/(?:\*|[a-z0-9][\w.+-]*))$/.test(type)) {
      problems.push(`FILE_ALLOWED_TYPES entry "${type}" must be a media type like application/pdf, a family like image/*, or */*`);
    }
  }

  const s3Bucket = str('S3_BUCKET');
  const s3AccessKeyId = str('S3_ACCESS_KEY_ID');
  const s3SecretAccessKey = str('S3_SECRET_ACCESS_KEY');
  const s3Endpoint = url('S3_ENDPOINT', ['http:', 'https:']);
  const s3Region = str('S3_REGION');
  const s3ForcePathStyle = bool('S3_FORCE_PATH_STYLE', false);
  if (!s3Bucket && (s3Endpoint || s3AccessKeyId || s3SecretAccessKey || s3Region || str('S3_FORCE_PATH_STYLE'))) {
    problems.push('S3_BUCKET is required when other S3_* variables are set (unset them all to store files in DATA_DIR)');
  }
  if (Boolean(s3AccessKeyId) !== Boolean(s3SecretAccessKey)) {
    problems.push('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together (or neither, for the default AWS credential chain)');
  }
  const s3: S3Config | undefined = s3Bucket
    ? {
        bucket: s3Bucket,
        region: s3Region ?? 'us-east-1',
        endpoint: s3Endpoint,
        credentials: s3AccessKeyId && s3SecretAccessKey ? { accessKeyId: s3AccessKeyId, secretAccessKey: s3SecretAccessKey } : undefined,
        forcePathStyle: s3ForcePathStyle,
      }
    : undefined;

  const backupKey = (name: string, raw: string) => {
    const key = Buffer.from(raw, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw) || key.length !== 32) {
      problems.push(`${name} must be the base64 of 32 random bytes (use \`openssl rand -base64 32\`)`);
    }
    return key;
  };
  const backupEncryptionKey = str('BACKUP_ENCRYPTION_KEY');
  const previousBackupKeys = (str('BACKUP_PREVIOUS_KEYS') ?? '').split(',').map((k) => k.trim()).filter(Boolean);

  const config: Config = {
    env: str('NODE_ENV') ?? 'development',
    port,
    host,
    workers,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    dataDir: path.resolve(str('DATA_DIR') ?? './data'),
    databaseUrl,
    dbPoolMax: int('DB_POOL_MAX', 10, 1, 1000),
    dbStatementTimeoutMs: int('DB_STATEMENT_TIMEOUT_MS', 15_000, 0, 3_600_000),
    logLevel,
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    smtpUrl: url('SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom,
    secretKey,
    bootstrapAdminEmail,
    bootstrapAdminPassword,
    corsOrigins,
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 1_048_576, 1024, 1_073_741_824),
    trustProxy: bool('TRUST_PROXY', false),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    metricsToken: str('METRICS_TOKEN'),
    identity: {
      accessTokenTtlSeconds: int('ACCESS_TOKEN_TTL_MINUTES', 15, 1, 1440) * 60,
      refreshTokenTtlSeconds: int('REFRESH_TOKEN_TTL_DAYS', 7, 1, 365) * 86400,
      refreshReuseGraceSeconds: int('REFRESH_REUSE_GRACE_SECONDS', 10, 0, 300),
      lockoutMaxAttempts: int('LOCKOUT_MAX_ATTEMPTS', 5, 1, 100),
      lockoutMinutes: int('LOCKOUT_MINUTES', 10, 1, 10_080),
      requireAdminApproval: bool('REQUIRE_ADMIN_APPROVAL', true),
    },
    webhooks: {
      allowPrivateTargets: bool('ALLOW_PRIVATE_WEBHOOK_TARGETS', false),
    },
    mail: {
      retryLimit: int('MAIL_RETRY_LIMIT', 6, 0, 20),
      retryDelaySeconds: int('MAIL_RETRY_DELAY_SECONDS', 60, 0, 3600),
      bulkRatePerMinute: int('MAIL_BULK_RATE_PER_MINUTE', 600, 1, 1_000_000),
    },
    jobs: {
      pollIntervalMs: int('JOBS_POLL_INTERVAL_MS', 2000, 100, 60_000),
      maintenanceIntervalSeconds: int('JOBS_MAINTENANCE_INTERVAL_SECONDS', 60, 1, 3600),
      retentionDays: int('JOBS_RETENTION_DAYS', 7, 1, 365),
      shutdownGraceMs: int('JOBS_SHUTDOWN_GRACE_MS', 5000, 0, 600_000),
    },
    files: {
      maxBytes: int('FILE_MAX_BYTES', 25 * 1024 * 1024, 1, 5 * 1024 ** 4),
      allowedTypes,
      linkMaxSeconds: int('FILE_LINK_MAX_SECONDS', 7 * 86400, 60, 365 * 86400),
      s3,
    },
    backups: {
      encryptionKey: backupEncryptionKey === undefined ? undefined : backupKey('BACKUP_ENCRYPTION_KEY', backupEncryptionKey),
      previousKeys: previousBackupKeys.map((key) => backupKey('BACKUP_PREVIOUS_KEYS', key)),
    },
    // Seed 003 §10.1 (uploads: seed 004); the default policy covers every other /api/v1 route.
    rateLimit: {
      enabled: bool('RATE_LIMIT_ENABLED', true),
      authPerMinute: int('RATE_LIMIT_AUTH_PER_MINUTE', 5, 1, 1_000_000),
      profilePerMinute: int('RATE_LIMIT_PROFILE_PER_MINUTE', 30, 1, 1_000_000),
      adminPerMinute: int('RATE_LIMIT_ADMIN_PER_MINUTE', 60, 1, 1_000_000),
      bulkPerHour: int('RATE_LIMIT_BULK_PER_HOUR', 10, 1, 1_000_000),
      uploadPerHour: int('RATE_LIMIT_UPLOAD_PER_HOUR', 20, 1, 1_000_000),
      defaultPerMinute: int('RATE_LIMIT_DEFAULT_PER_MINUTE', 600, 1, 1_000_000),
    },
  };
  // The process exits SHUTDOWN_TIMEOUT_MS after SIGTERM whatever happens: jobs must be stopped by then.
  if (config.jobs.shutdownGraceMs > config.shutdownTimeoutMs) {
    problems.push(`JOBS_SHUTDOWN_GRACE_MS (${config.jobs.shutdownGraceMs}) must not exceed SHUTDOWN_TIMEOUT_MS (${config.shutdownTimeoutMs})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** WEB_CONCURRENCY: a whole number of processes, or `auto` for one per CPU the process may use. */
function workerCount(raw: string | undefined, problems: string[]): number {
  if (raw === undefined) return 1;
  if (raw.toLowerCase() === 'auto') return os.availableParallelism();
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 256) {
    problems.push(`WEB_CONCURRENCY must be a whole number between 1 and 256, or auto (got "${raw}")`);
    return 1;
  }
  return value;
}
