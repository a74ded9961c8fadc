import { and, eq, sql } from 'drizzle-orm';
import { recordAudit, type RequestOrigin } from '../audit/audit';
import type { Actor } from '../auth/actor';
import type { Executor } from '../db/database';
import { newId } from '../db/ids';
import { assertVersion } from '../http/etag';
import { notFound, validationFailed, type FieldError } from '../http/problem';
import { emailTemplates } from './tables';
import { defaultTemplate, mailTypes, MAIL_LOCALES, renderMail, variablesOf, variablesOfType, type MailLocale, type MailTemplate } from './templates';

type Row = typeof emailTemplates.$inferSelect;

export interface TemplateView {
  type: string;
  locale: MailLocale;
  customized: boolean;
  subject: string;
  text: string;
  html: string;
  /** What the senders of this type supply; a template may use these and no others. */
  variables: string[];
  /** 0 while the built-in template is in use (If-Match: "v0" creates the organization's own). */
  version: number;
  updated_at: string | null;
}

const toTemplate = (row: Row): MailTemplate => ({ subject: row.subject, text: row.textBody, html: row.htmlBody });

const scoped = (organizationId: string, type: string, locale: MailLocale) =>
  and(eq(emailTemplates.organizationId, organizationId), eq(emailTemplates.messageType, type), eq(emailTemplates.locale, locale));

function view(type: string, locale: MailLocale, row: Row | undefined): TemplateView {
  const template = row ? toTemplate(row) : defaultTemplate(type, locale)!;
  return { type, locale, customized: Boolean(row), ...template, variables: variablesOfType(type), version: row?.version ?? 0, updated_at: row?.updatedAt.toISOString() ?? null };
}

/** An organization's own template of a type, if it has one. */
export async function customTemplate(executor: Executor, organizationId: string, type: string, locale: MailLocale): Promise<MailTemplate | undefined> {
  const [row] = await executor.select().from(emailTemplates).where(scoped(organizationId, type, locale));
  return row ? toTemplate(row) : undefined;
}

/**
 * The variables for rendering an organization's template: a variable its sender did not supply
 * renders empty instead of failing the send (the built-in templates were written for their senders).
 */
export const lenientVariables = (type: string, variables: Record<string, unknown>) => ({ ...Object.fromEntries(variablesOfType(type).map((name) => [name, ''])), ...variables });

function assertKnown(type: string) {
  if (!mailTypes().includes(type)) throw notFound('EMAIL_TEMPLATE_NOT_FOUND');
}

/**
 * A template may use only its type's variables, must close every section it opens, and must
 * keep `{{link}}` in both bodies when its type carries one (a verification mail without its link
 * would lock people out).
 */
function problemsOf(type: string, template: MailTemplate): FieldError[] {
  const allowed = new Set(variablesOfType(type));
  const errors: FieldError[] = [];
  for (const [field, part] of [['subject', template.subject], ['text', template.text], ['html', template.html]] as const) {
    const unknown = [...variablesOf({ subject: part, text: '', html: '' })].filter((name) => !allowed.has(name));
    if (unknown.length > 0) errors.push({ field, message: `Unknown variable(s) ${unknown.map((n) => `{{${n}}}`).join(', ')}; this message type provides ${[...allowed].map((n) => `{{${n}}}`).join(', ') || 'none'}.` });
    const opened = [...part.matchAll(/\{\{#(\w+)\}\}/g)].map((m) => m[1]!);
    const closed = [...part.matchAll(/\{\{\/(\w+)\}\}/g)].map((m) => m[1]!);
    if (opened.sort().join() !== closed.sort().join()) errors.push({ field, message: 'Every {{#name}} section must be closed by {{/name}}.' });
    if (field !== 'subject' && allowed.has('link') && !/\{\{\s*link\s*\}\}/.test(part)) errors.push({ field, message: 'This message carries a link: keep {{link}} in it.' });
  }
  return errors;
}

/** Sample values for a preview: what the caller gave, `[name]` for the rest. */
const sampleVariables = (type: string, given: Record<string, unknown>) => Object.fromEntries(variablesOfType(type).map((name) => [name, given[name] ?? `[${name}]`]));

export function customTemplateService(now: () => Date) {
  return {
    async list(executor: Executor, actor: Actor): Promise<TemplateView[]> {
      const rows = await executor.select().from(emailTemplates).where(eq(emailTemplates.organizationId, actor.organizationId));
      return mailTypes()
        .sort()
        .flatMap((type) => MAIL_LOCALES.map((locale) => view(type, locale, rows.find((r) => r.messageType === type && r.locale === locale))));
    },

    async get(executor: Executor, actor: Actor, type: string, locale: MailLocale): Promise<TemplateView> {
      assertKnown(type);
      const [row] = await executor.select().from(emailTemplates).where(scoped(actor.organizationId, type, locale));
      return view(type, locale, row);
    },

    async put(tx: Executor, origin: RequestOrigin, actor: Actor, type: string, locale: MailLocale, input: MailTemplate, expectedVersion?: number[]): Promise<TemplateView> {
      assertKnown(type);
      const errors = problemsOf(type, input);
      if (errors.length > 0) throw validationFailed(errors);
      const [current] = await tx.select().from(emailTemplates).where(scoped(actor.organizationId, type, locale)).for('update');
      if (expectedVersion) assertVersion(expectedVersion, current?.version ?? 0);
      const at = now();
      const values = { subject: input.subject, textBody: input.text, htmlBody: input.html, updatedBy: actor.id, updatedAt: at };
      const [row] = current
        ? await tx.update(emailTemplates).set({ ...values, version: sql`${emailTemplates.version} + 1` }).where(eq(emailTemplates.id, current.id)).returning()
        : await tx.insert(emailTemplates).values({ id: newId('etp'), organizationId: actor.organizationId, messageType: type, locale, ...values, createdAt: at }).returning();
      await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'email_template.updated', resourceType: 'email_template', resourceId: `${type}/${locale}` });
      return view(type, locale, row);
    },

    /** Back to the built-in template. */
    async reset(tx: Executor, origin: RequestOrigin, actor: Actor, type: string, locale: MailLocale): Promise<void> {
      assertKnown(type);
      const removed = await tx.delete(emailTemplates).where(scoped(actor.organizationId, type, locale)).returning({ id: emailTemplates.id });
      if (removed.length === 0) throw notFound('EMAIL_TEMPLATE_NOT_CUSTOMIZED');
      await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'email_template.reset', resourceType: 'email_template', resourceId: `${type}/${locale}` });
    },

    /** Renders a draft (or the template in use) with the given or sample variables; nothing is sent. */
    async preview(executor: Executor, actor: Actor, type: string, locale: MailLocale, input: { variables?: Record<string, unknown>; subject?: string; text?: string; html?: string }) {
      const current = await this.get(executor, actor, type, locale);
      const draft: MailTemplate = { subject: input.subject ?? current.subject, text: input.text ?? current.text, html: input.html ?? current.html };
      const errors = problemsOf(type, draft);
      if (errors.length > 0) throw validationFailed(errors);
      const rendered = renderMail(type, locale, sampleVariables(type, input.variables ?? {}), draft);
      return { subject: rendered.subject, text: rendered.text, html: rendered.html };
    },
  };
}
