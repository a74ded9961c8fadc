import { escapeHtml, oneLine, render, verbatim, type Variables } from './render';

/** One message type in one language. `html` is the body fragment; the layout wraps it. */
export interface MailTemplate {
  subject: string;
  text: string;
  html: string;
}

export const MAIL_LOCALES = ['en', 'km'] as const;
export type MailLocale = (typeof MAIL_LOCALES)[number];

export interface RenderedMail {
  locale: MailLocale;
  subject: string;
  text: string;
  html: string;
}

const templates = new Map<string, Record<MailLocale, MailTemplate>>();

/** Adds (or replaces) a message type; modules call this for their own mail. Both languages are required. */
export function registerMailTemplate(type: string, byLocale: Record<MailLocale, MailTemplate>): void {
  templates.set(type, byLocale);
}

export const mailTypes = () => [...templates.keys()];

/** `km`, `km-KH` → Khmer; anything else → English. */
export const mailLocale = (locale: string | undefined): MailLocale => (locale?.toLowerCase().startsWith('km') ? 'km' : 'en');

/** The built-in template of a type in a language; undefined for an unknown type. */
export const defaultTemplate = (type: string, locale: MailLocale): MailTemplate | undefined => templates.get(type)?.[locale];

/** `{{name}}` and `{{#name}}` names a template uses. */
export function variablesOf(template: MailTemplate): Set<string> {
  const names = new Set<string>();
  for (const part of [template.subject, template.text, template.html]) for (const match of part.matchAll(/\{\{\s*[#/]?\s*(\w+)\s*\}\}/g)) names.add(match[1]!);
  return names;
}

/** The variables a type's senders supply: every name its built-in templates use, in either language. */
export function variablesOfType(type: string): string[] {
  const byLocale = templates.get(type);
  if (!byLocale) return [];
  return [...new Set(MAIL_LOCALES.flatMap((locale) => [...variablesOf(byLocale[locale])]))].sort();
}

/**
 * Renders a type in the recipient's language, with `custom` (an organization's own template,
 * mail/custom-templates.ts) in place of the built-in one when given.
 */
export function renderMail(type: string, locale: string | undefined, variables: Variables, custom?: MailTemplate): RenderedMail {
  const byLocale = templates.get(type);
  if (!byLocale) throw new Error(`Unknown mail type "${type}"`);
  const chosen = mailLocale(locale);
  const template = custom ?? byLocale[chosen];
  return {
    locale: chosen,
    subject: render(template.subject, variables, oneLine),
    text: render(template.text, variables, verbatim),
    html: layout(chosen, render(template.html, variables, escapeHtml)),
  };
}

const layout = (locale: MailLocale, body: string) =>
  `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"></head>` +
  `<body style="font-family:Arial,'Noto Sans Khmer',sans-serif;color:#222;line-height:1.6;max-width:560px">${body}</body></html>`;

/** A button to `{{link}}`, with the address spelled out for clients that block links. */
const button = (label: string) =>
  `<p><a href="{{link}}" style="display:inline-block;padding:10px 18px;background:#1f6feb;color:#fff;text-decoration:none;border-radius:4px">${label}</a></p>` +
  `<p style="font-size:13px;color:#555">{{link}}</p>`;

const hello = { en: 'Hello{{#first_name}} {{first_name}}{{/first_name}},', km: 'សួស្តី{{#first_name}} {{first_name}}{{/first_name}},' };

registerMailTemplate('verify_email', {
  en: {
    subject: 'Verify your email address',
    text: `${hello.en}\n\nPlease confirm your email address by opening this link:\n{{link}}\n\nIf you did not create an account, you can ignore this email.`,
    html: `<p>${hello.en}</p><p>Please confirm your email address.</p>${button('Verify email')}<p>If you did not create an account, you can ignore this email.</p>`,
  },
  km: {
    subject: 'ផ្ទៀងផ្ទាត់អាសយដ្ឋានអ៊ីមែលរបស់អ្នក',
    text: `${hello.km}\n\nសូមបញ្ជាក់អាសយដ្ឋានអ៊ីមែលរបស់អ្នក ដោយបើកតំណនេះ៖\n{{link}}\n\nប្រសិនបើអ្នកមិនបានបង្កើតគណនីទេ អ្នកអាចមិនអើពើអ៊ីមែលនេះបាន។`,
    html: `<p>${hello.km}</p><p>សូមបញ្ជាក់អាសយដ្ឋានអ៊ីមែលរបស់អ្នក។</p>${button('ផ្ទៀងផ្ទាត់អ៊ីមែល')}<p>ប្រសិនបើអ្នកមិនបានបង្កើតគណនីទេ អ្នកអាចមិនអើពើអ៊ីមែលនេះបាន។</p>`,
  },
});

registerMailTemplate('password_reset', {
  en: {
    subject: 'Reset your password',
    text: `${hello.en}\n\nWe received a request to reset your password. Choose a new one here:\n{{link}}\n\nIf you did not ask for this, ignore this email: your password stays the same.`,
    html: `<p>${hello.en}</p><p>We received a request to reset your password.</p>${button('Choose a new password')}<p>If you did not ask for this, ignore this email: your password stays the same.</p>`,
  },
  km: {
    subject: 'កំណត់ពាក្យសម្ងាត់របស់អ្នកឡើងវិញ',
    text: `${hello.km}\n\nយើងបានទទួលសំណើកំណត់ពាក្យសម្ងាត់របស់អ្នកឡើងវិញ។ សូមជ្រើសរើសពាក្យសម្ងាត់ថ្មីនៅទីនេះ៖\n{{link}}\n\nប្រសិនបើអ្នកមិនបានស្នើសុំទេ សូមមិនអើពើអ៊ីមែលនេះ៖ ពាក្យសម្ងាត់របស់អ្នកនៅដដែល។`,
    html: `<p>${hello.km}</p><p>យើងបានទទួលសំណើកំណត់ពាក្យសម្ងាត់របស់អ្នកឡើងវិញ។</p>${button('ជ្រើសរើសពាក្យសម្ងាត់ថ្មី')}<p>ប្រសិនបើអ្នកមិនបានស្នើសុំទេ សូមមិនអើពើអ៊ីមែលនេះ៖ ពាក្យសម្ងាត់របស់អ្នកនៅដដែល។</p>`,
  },
});

registerMailTemplate('invitation', {
  en: {
    subject: 'You are invited to Deskbase{{#organization_name}}: {{organization_name}}{{/organization_name}}',
    text: `${hello.en}\n\nAn account has been created for you{{#organization_name}} at {{organization_name}}{{/organization_name}}. Set your password here to sign in:\n{{link}}`,
    html: `<p>${hello.en}</p><p>An account has been created for you{{#organization_name}} at <strong>{{organization_name}}</strong>{{/organization_name}}. Set your password to sign in.</p>${button('Set my password')}`,
  },
  km: {
    subject: 'អ្នកត្រូវបានអញ្ជើញឱ្យប្រើ Deskbase{{#organization_name}}៖ {{organization_name}}{{/organization_name}}',
    text: `${hello.km}\n\nគណនីមួយត្រូវបានបង្កើតសម្រាប់អ្នក{{#organization_name}} នៅ {{organization_name}}{{/organization_name}}។ សូមកំណត់ពាក្យសម្ងាត់របស់អ្នកនៅទីនេះ ដើម្បីចូល៖\n{{link}}`,
    html: `<p>${hello.km}</p><p>គណនីមួយត្រូវបានបង្កើតសម្រាប់អ្នក{{#organization_name}} នៅ <strong>{{organization_name}}</strong>{{/organization_name}}។ សូមកំណត់ពាក្យសម្ងាត់របស់អ្នក ដើម្បីចូល។</p>${button('កំណត់ពាក្យសម្ងាត់')}`,
  },
});

registerMailTemplate('account_approved', {
  en: {
    subject: 'Your account has been approved',
    text: `${hello.en}\n\nYour account has been approved. You can now sign in.{{#link}}\n{{link}}{{/link}}`,
    html: `<p>${hello.en}</p><p>Your account has been approved. You can now sign in.</p>{{#link}}${button('Sign in')}{{/link}}`,
  },
  km: {
    subject: 'គណនីរបស់អ្នកត្រូវបានអនុម័ត',
    text: `${hello.km}\n\nគណនីរបស់អ្នកត្រូវបានអនុម័តហើយ។ ឥឡូវនេះ អ្នកអាចចូលបាន។{{#link}}\n{{link}}{{/link}}`,
    html: `<p>${hello.km}</p><p>គណនីរបស់អ្នកត្រូវបានអនុម័តហើយ។ ឥឡូវនេះ អ្នកអាចចូលបាន។</p>{{#link}}${button('ចូល')}{{/link}}`,
  },
});

registerMailTemplate('account_rejected', {
  en: {
    subject: 'Your registration was not approved',
    text: `${hello.en}\n\nYour registration was not approved.\n\nReason: {{reason}}\n\nIf you think this is a mistake, contact your administrator.`,
    html: `<p>${hello.en}</p><p>Your registration was not approved.</p><p>Reason: {{reason}}</p><p>If you think this is a mistake, contact your administrator.</p>`,
  },
  km: {
    subject: 'ការចុះឈ្មោះរបស់អ្នកមិនត្រូវបានអនុម័តទេ',
    text: `${hello.km}\n\nការចុះឈ្មោះរបស់អ្នកមិនត្រូវបានអនុម័តទេ។\n\nមូលហេតុ៖ {{reason}}\n\nប្រសិនបើអ្នកគិតថានេះជាកំហុស សូមទាក់ទងអ្នកគ្រប់គ្រងរបស់អ្នក។`,
    html: `<p>${hello.km}</p><p>ការចុះឈ្មោះរបស់អ្នកមិនត្រូវបានអនុម័តទេ។</p><p>មូលហេតុ៖ {{reason}}</p><p>ប្រសិនបើអ្នកគិតថានេះជាកំហុស សូមទាក់ទងអ្នកគ្រប់គ្រងរបស់អ្នក។</p>`,
  },
});

registerMailTemplate('password_changed', {
  en: {
    subject: 'Your password was changed',
    text: `${hello.en}\n\nThe password of your Deskbase account was just changed. If this was you, there is nothing to do.\n\nIf it was not you, reset your password at once and contact your administrator.`,
    html: `<p>${hello.en}</p><p>The password of your Deskbase account was just changed. If this was you, there is nothing to do.</p><p>If it was not you, reset your password at once and contact your administrator.</p>`,
  },
  km: {
    subject: 'ពាក្យសម្ងាត់របស់អ្នកត្រូវបានផ្លាស់ប្តូរ',
    text: `${hello.km}\n\nពាក្យសម្ងាត់នៃគណនី Deskbase របស់អ្នកទើបតែត្រូវបានផ្លាស់ប្តូរ។ ប្រសិនបើនេះជាអ្នក មិនចាំបាច់ធ្វើអ្វីទេ។\n\nប្រសិនបើមិនមែនជាអ្នកទេ សូមកំណត់ពាក្យសម្ងាត់របស់អ្នកឡើងវិញភ្លាមៗ ហើយទាក់ទងអ្នកគ្រប់គ្រងរបស់អ្នក។`,
    html: `<p>${hello.km}</p><p>ពាក្យសម្ងាត់នៃគណនី Deskbase របស់អ្នកទើបតែត្រូវបានផ្លាស់ប្តូរ។ ប្រសិនបើនេះជាអ្នក មិនចាំបាច់ធ្វើអ្វីទេ។</p><p>ប្រសិនបើមិនមែនជាអ្នកទេ សូមកំណត់ពាក្យសម្ងាត់របស់អ្នកឡើងវិញភ្លាមៗ ហើយទាក់ទងអ្នកគ្រប់គ្រងរបស់អ្នក។</p>`,
  },
});
