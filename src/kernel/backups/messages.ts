import { registerMessages } from '../i18n/index';

registerMessages({
  en: {
    'problem.BACKUP_NOT_FOUND.title': 'Backup not found',
    'problem.BACKUP_NOT_FOUND.detail': 'No backup with this id exists.',
    'problem.BACKUP_NOT_COMPLETED.title': 'Backup not completed',
    'problem.BACKUP_NOT_COMPLETED.detail': 'Only a completed backup can be downloaded or restored.',
    'problem.BACKUP_IN_PROGRESS.title': 'Backup in progress',
    'problem.BACKUP_IN_PROGRESS.detail': 'This backup is still being made; delete it once it has finished.',
    'problem.RESTORE_IN_PROGRESS.title': 'Restore in progress',
    'problem.RESTORE_IN_PROGRESS.detail': 'A restore is already waiting to run.',
    'problem.BACKUP_SCHEDULE_NOT_FOUND.title': 'Backup schedule not found',
    'problem.BACKUP_SCHEDULE_NOT_FOUND.detail': 'No backup schedule with this id exists.',
    'problem.BACKUP_KEY_FROM_ENVIRONMENT.title': 'Key set by the operator',
    'problem.BACKUP_KEY_FROM_ENVIRONMENT.detail': 'The backup key comes from BACKUP_ENCRYPTION_KEY: rotate it there, and list the old key in BACKUP_PREVIOUS_KEYS.',
  },
  km: {
    'problem.BACKUP_NOT_FOUND.title': 'រកមិនឃើញការបម្រុងទុក',
    'problem.BACKUP_NOT_FOUND.detail': 'គ្មានការបម្រុងទុកដែលមានលេខសម្គាល់នេះទេ។',
    'problem.BACKUP_NOT_COMPLETED.title': 'ការបម្រុងទុកមិនទាន់បញ្ចប់',
    'problem.BACKUP_NOT_COMPLETED.detail': 'មានតែការបម្រុងទុកដែលបានបញ្ចប់ប៉ុណ្ណោះដែលអាចទាញយក ឬស្ដារបាន។',
    'problem.BACKUP_IN_PROGRESS.title': 'ការបម្រុងទុកកំពុងដំណើរការ',
    'problem.BACKUP_IN_PROGRESS.detail': 'ការបម្រុងទុកនេះកំពុងត្រូវបានធ្វើ សូមលុបវានៅពេលវាបញ្ចប់។',
    'problem.RESTORE_IN_PROGRESS.title': 'ការស្ដារកំពុងដំណើរការ',
    'problem.RESTORE_IN_PROGRESS.detail': 'មានការស្ដារមួយកំពុងរង់ចាំដំណើរការរួចហើយ។',
    'problem.BACKUP_SCHEDULE_NOT_FOUND.title': 'រកមិនឃើញកាលវិភាគបម្រុងទុក',
    'problem.BACKUP_SCHEDULE_NOT_FOUND.detail': 'គ្មានកាលវិភាគបម្រុងទុកដែលមានលេខសម្គាល់នេះទេ។',
    'problem.BACKUP_KEY_FROM_ENVIRONMENT.title': 'សោកំណត់ដោយប្រតិបត្តិករ',
    'problem.BACKUP_KEY_FROM_ENVIRONMENT.detail': 'សោបម្រុងទុកមកពី BACKUP_ENCRYPTION_KEY៖ សូមផ្លាស់ប្ដូរវានៅទីនោះ ហើយដាក់សោចាស់ក្នុង BACKUP_PREVIOUS_KEYS។',
  },
});
