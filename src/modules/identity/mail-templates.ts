import { registerMailTemplate } from '../../kernel/mail/index';

// Sent instead of a second account when someone registers with a taken address.
registerMailTemplate('account_exists', {
  en: {
    subject: 'Someone tried to register with your email address',
    text: 'Hello {{first_name}},\n\nSomeone tried to create a new account with this email address, which already has one. If it was you, sign in, or reset your password here:\n{{link}}\n\nIf it was not you, you can ignore this email.',
    html: '<p>Hello {{first_name}},</p><p>Someone tried to create a new account with this email address, which already has one. If it was you, sign in, or <a href="{{link}}">reset your password</a>.</p><p>If it was not you, you can ignore this email.</p>',
  },
  km: {
    subject: 'មាននរណាម្នាក់បានព្យាយាមចុះឈ្មោះដោយប្រើអាសយដ្ឋានអ៊ីមែលរបស់អ្នក',
    text: 'សួស្តី {{first_name}},\n\nមាននរណាម្នាក់បានព្យាយាមបង្កើតគណនីថ្មីដោយប្រើអាសយដ្ឋានអ៊ីមែលនេះ ដែលមានគណនីរួចហើយ។ ប្រសិនបើជាអ្នក សូមចូល ឬកំណត់ពាក្យសម្ងាត់ឡើងវិញនៅទីនេះ៖\n{{link}}\n\nប្រសិនបើមិនមែនជាអ្នកទេ អ្នកអាចមិនអើពើអ៊ីមែលនេះបាន។',
    html: '<p>សួស្តី {{first_name}},</p><p>មាននរណាម្នាក់បានព្យាយាមបង្កើតគណនីថ្មីដោយប្រើអាសយដ្ឋានអ៊ីមែលនេះ ដែលមានគណនីរួចហើយ។ ប្រសិនបើជាអ្នក សូមចូល ឬ<a href="{{link}}">កំណត់ពាក្យសម្ងាត់ឡើងវិញ</a>។</p><p>ប្រសិនបើមិនមែនជាអ្នកទេ អ្នកអាចមិនអើពើអ៊ីមែលនេះបាន។</p>',
  },
});
