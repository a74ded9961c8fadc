import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';
import { escapeHtml, render, verbatim } from './render';
import { MAIL_LOCALES, mailLocale, mailTypes, registerMailTemplate, renderMail } from './templates';

describe('template rendering', () => {
  it('escapes variables in HTML only', () => {
    const vars = { name: `<script>alert("x")</script> & 'co'` };
    expect(render('<p>{{name}}</p>', vars, escapeHtml)).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;</p>');
    expect(render('{{ name }}', vars, verbatim)).toBe(vars.name);
  });

  it('keeps a section only when its variable is filled, and never expands placeholders inside values', () => {
    const template = 'Hi{{#name}} {{name}}{{/name}}!';
    expect(render(template, { name: 'Ann' }, verbatim)).toBe('Hi Ann!');
    expect(render(template, { name: '' }, verbatim)).toBe('Hi!');
    expect(render(template, {}, verbatim)).toBe('Hi!');
    expect(render('{{a}}', { a: '{{b}}', b: 'no' }, verbatim)).toBe('{{b}}');
  });

  it('throws on a missing variable and an unknown type, instead of sending a broken mail', () => {
    expect(() => renderMail('verify_email', 'en', { first_name: 'Ann' })).toThrow('"link" is missing');
    expect(() => renderMail('no_such_type', 'en', {})).toThrow('Unknown mail type "no_such_type"');
  });

  it('keeps the subject on one line', () => {
    const mail = renderMail('invitation', 'en', { first_name: 'Ann', link: 'https://x', organization_name: 'Acme\r\nBcc: evil@example.com' });
    expect(mail.subject).toBe('You are invited to Deskbase: Acme Bcc: evil@example.com');
  });

  it('picks Khmer for km and km-KH, English otherwise', () => {
    expect([mailLocale('km'), mailLocale('km-KH'), mailLocale('en'), mailLocale('fr'), mailLocale(undefined)]).toEqual(['km', 'km', 'en', 'en', 'en']);
    const km = renderMail('password_changed', 'km', { first_name: 'សុខ' });
    expect(km.locale).toBe('km');
    expect(km.subject).toBe('ពាក្យសម្ងាត់របស់អ្នកត្រូវបានផ្លាស់ប្តូរ');
    expect(km.html).toContain('<html lang="km">');
  });

  it('has the built-in types, each in both languages with the same variables', () => {
    const builtIn = ['verify_email', 'password_reset', 'invitation', 'account_approved', 'account_rejected', 'password_changed'];
    expect(mailTypes()).toEqual(expect.arrayContaining(builtIn));
    const variablesOf = (text: string) => [...new Set(text.match(/\{\{[#/]?\s*\w+\s*\}\}/g) ?? [])].sort();
    for (const type of builtIn) {
      const sample = Object.fromEntries(['first_name', 'link', 'organization_name', 'reason'].map((v) => [v, `<${v}>`]));
      const [en, km] = MAIL_LOCALES.map((locale) => renderMail(type, locale, sample));
      expect(en!.html, type).toContain('&lt;');
      expect(km!.subject, type).not.toBe(en!.subject);
      for (const part of ['subject', 'text', 'html'] as const) {
        const raw = (locale: 'en' | 'km') => renderMail(type, locale, new Proxy({}, { get: (_t, key) => `{{${String(key)}}}` }))[part];
        expect(variablesOf(raw('km')), `${type}.${part}`).toEqual(variablesOf(raw('en')));
      }
    }
  });

  it('lets a module register its own type', () => {
    registerMailTemplate('test_receipt', {
      en: { subject: 'Receipt {{number}}', text: 'Paid {{amount}}', html: '<p>Paid {{amount}}</p>' },
      km: { subject: 'បង្កាន់ដៃ {{number}}', text: 'បានបង់ {{amount}}', html: '<p>បានបង់ {{amount}}</p>' },
    });
    expect(renderMail('test_receipt', 'km', { number: 7, amount: '5 USD' })).toMatchObject({ subject: 'បង្កាន់ដៃ 7', text: 'បានបង់ 5 USD' });
  });
});

describe('MAIL_FROM', () => {
  it('defaults to Deskbase <no-reply@localhost> and accepts a name with an address, or a bare address', () => {
    expect(loadConfig({}).mailFrom).toBe('Deskbase <no-reply@localhost>');
    expect(loadConfig({ MAIL_FROM: 'Acme Desk <desk@acme.example>' }).mailFrom).toBe('Acme Desk <desk@acme.example>');
    expect(loadConfig({ MAIL_FROM: 'desk@acme.example' }).mailFrom).toBe('desk@acme.example');
  });

  it.each(['not an address', 'Acme <desk>', 'Acme <desk@acme.example>\r\nBcc: x@y.z', 'a@b, c@d'])('refuses %j', (value) => {
    expect(() => loadConfig({ MAIL_FROM: value })).toThrow(ConfigError);
  });
});
