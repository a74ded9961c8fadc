import { registerMailTemplate } from '../../../kernel/mail/index';

/**
 * The invoice email (organizations may reword it through /api/v1/email/templates) and the notice
 * to its sender when it could not be delivered.
 */
registerMailTemplate('invoice', {
  en: {
    subject: 'Invoice {{number}} from {{organization_name}}',
    text:
      'Dear {{customer_name}},\n\nPlease find attached invoice {{number}} for {{total}} {{currency}}{{#due_date}}, due on {{due_date}}{{/due_date}}.\n' +
      '{{#message}}\n{{message}}\n{{/message}}\nYou can also view it online:\n{{view_link}}\n\nThank you,\n{{organization_name}}',
    html:
      '<p>Dear {{customer_name}},</p><p>Please find attached invoice <strong>{{number}}</strong> for <strong>{{total}} {{currency}}</strong>{{#due_date}}, due on {{due_date}}{{/due_date}}.</p>' +
      '{{#message}}<p style="white-space:pre-line">{{message}}</p>{{/message}}' +
      '<p><a href="{{view_link}}" style="display:inline-block;padding:10px 18px;background:#1f6feb;color:#fff;text-decoration:none;border-radius:4px">View the invoice</a></p>' +
      '<p style="font-size:13px;color:#555">{{view_link}}</p><p>Thank you,<br>{{organization_name}}</p>',
  },
  km: {
    subject: 'វិក្កយបត្រ {{number}} ពី {{organization_name}}',
    text:
      'ជូនចំពោះ {{customer_name}},\n\nសូមមើលវិក្កយបត្រ {{number}} ចំនួន {{total}} {{currency}} ដែលភ្ជាប់មកជាមួយ{{#due_date}} ដែលត្រូវបង់នៅថ្ងៃ {{due_date}}{{/due_date}}។\n' +
      '{{#message}}\n{{message}}\n{{/message}}\nអ្នកក៏អាចមើលវាតាមអ៊ីនធឺណិតបានផងដែរ៖\n{{view_link}}\n\nសូមអរគុណ,\n{{organization_name}}',
    html:
      '<p>ជូនចំពោះ {{customer_name}},</p><p>សូមមើលវិក្កយបត្រ <strong>{{number}}</strong> ចំនួន <strong>{{total}} {{currency}}</strong> ដែលភ្ជាប់មកជាមួយ{{#due_date}} ដែលត្រូវបង់នៅថ្ងៃ {{due_date}}{{/due_date}}។</p>' +
      '{{#message}}<p style="white-space:pre-line">{{message}}</p>{{/message}}' +
      '<p><a href="{{view_link}}" style="display:inline-block;padding:10px 18px;background:#1f6feb;color:#fff;text-decoration:none;border-radius:4px">មើលវិក្កយបត្រ</a></p>' +
      '<p style="font-size:13px;color:#555">{{view_link}}</p><p>សូមអរគុណ,<br>{{organization_name}}</p>',
  },
});

registerMailTemplate('invoice_delivery_failed', {
  en: {
    subject: 'Invoice {{number}} could not be delivered to {{recipient}}',
    text:
      'Hello{{#first_name}} {{first_name}}{{/first_name}},\n\nThe invoice {{number}} you sent to {{recipient}} could not be delivered ({{status}}).\n\nReason: {{reason}}\n\n' +
      'Check the address and send the invoice again.',
    html:
      '<p>Hello{{#first_name}} {{first_name}}{{/first_name}},</p><p>The invoice <strong>{{number}}</strong> you sent to {{recipient}} could not be delivered ({{status}}).</p>' +
      '<p>Reason: {{reason}}</p><p>Check the address and send the invoice again.</p>',
  },
  km: {
    subject: 'មិនអាចផ្ញើវិក្កយបត្រ {{number}} ទៅ {{recipient}} បានទេ',
    text:
      'សួស្តី{{#first_name}} {{first_name}}{{/first_name}},\n\nវិក្កយបត្រ {{number}} ដែលអ្នកបានផ្ញើទៅ {{recipient}} មិនអាចបញ្ជូនបានទេ ({{status}})។\n\nមូលហេតុ៖ {{reason}}\n\n' +
      'សូមពិនិត្យអាសយដ្ឋាន ហើយផ្ញើវិក្កយបត្រម្តងទៀត។',
    html:
      '<p>សួស្តី{{#first_name}} {{first_name}}{{/first_name}},</p><p>វិក្កយបត្រ <strong>{{number}}</strong> ដែលអ្នកបានផ្ញើទៅ {{recipient}} មិនអាចបញ្ជូនបានទេ ({{status}})។</p>' +
      '<p>មូលហេតុ៖ {{reason}}</p><p>សូមពិនិត្យអាសយដ្ឋាន ហើយផ្ញើវិក្កយបត្រម្តងទៀត។</p>',
  },
});
