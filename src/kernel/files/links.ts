import type { Secrets } from '../secrets';

const PURPOSE = 'file-link';

/**
 * Signed download links: `…/files/{id}/download?expires=<unix seconds>&signature=<HMAC>`, the
 * HMAC-SHA256 of `id.expires` under a key derived from SECRET_KEY for this purpose only. Anyone
 * holding the link may download the file until it expires; deleting the file ends it sooner.
 */
export class FileLinks {
  constructor(
    private readonly secrets: Secrets,
    private readonly publicUrl: string,
  ) {}

  url(fileId: string, expiresAt: Date): string {
    const expires = Math.floor(expiresAt.getTime() / 1000);
    const signature = this.secrets.sign(PURPOSE, `${fileId}.${expires}`);
    return `${this.publicUrl}/api/v1/files/${fileId}/download?expires=${expires}&signature=${signature}`;
  }

  /** 'valid', 'expired' (authentic but too old), or 'invalid' (altered, or never signed here). */
  check(fileId: string, expires: number, signature: string, now: Date): 'valid' | 'expired' | 'invalid' {
    if (!this.secrets.verify(PURPOSE, `${fileId}.${expires}`, signature)) return 'invalid';
    return expires * 1000 > now.getTime() ? 'valid' : 'expired';
  }
}
