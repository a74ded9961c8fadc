import { registerMessages } from '../../kernel/i18n/index';

/** The billing module's texts, in English and Khmer. */
registerMessages({
  en: {
    'problem.CLIENT_NOT_FOUND.title': 'Client not found',
    'problem.CLIENT_NOT_FOUND.detail': 'No client with this id exists in your organization.',
    'problem.CLIENT_TAX_ID_EXISTS.title': 'Tax id already used',
    'problem.CLIENT_TAX_ID_EXISTS.detail': 'Client {id} already has this tax id: update that client instead of creating a duplicate.',
  },
  km: {
    'problem.CLIENT_NOT_FOUND.title': 'រកមិនឃើញអតិថិជន',
    'problem.CLIENT_NOT_FOUND.detail': 'គ្មានអតិថិជនដែលមានលេខសម្គាល់នេះនៅក្នុងស្ថាប័នរបស់អ្នកទេ។',
    'problem.CLIENT_TAX_ID_EXISTS.title': 'លេខអត្តសញ្ញាណពន្ធត្រូវបានប្រើរួចហើយ',
    'problem.CLIENT_TAX_ID_EXISTS.detail': 'អតិថិជន {id} មានលេខអត្តសញ្ញាណពន្ធនេះរួចហើយ៖ សូមកែប្រែអតិថិជននោះជំនួសឱ្យការបង្កើតស្ទួន។',
  },
});
