import { Type, type Static } from '@sinclair/typebox';
import { listQuerySchema, pageSchema } from '../../../kernel/http/pagination';

const strict = { additionalProperties: false } as const;
const Day = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const Currency = Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217 code of the foreign currency.' });

export const CreateExchangeRateBody = Type.Object(
  {
    currency: Currency,
    rate: Type.Union([Type.String({ maxLength: 40 }), Type.Number()], { description: 'Value of one unit of `currency` in the organization’s base currency: greater than 0, up to 10 decimals.' }),
    date: Day,
  },
  strict,
);
export type CreateExchangeRateBody = Static<typeof CreateExchangeRateBody>;

export const ExchangeRate = Type.Object(
  {
    id: Type.String({ examples: ['xrt_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
    currency: Type.String(),
    base_currency: Type.String({ description: 'The organization’s base currency now.' }),
    rate: Type.String(),
    date: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'ExchangeRate', ...strict },
);
export type ExchangeRate = Static<typeof ExchangeRate>;
export const ExchangeRatePage = pageSchema(ExchangeRate, 'ExchangeRatePage');

export const ListExchangeRatesQuery = listQuerySchema(
  ['date', 'created_at'],
  {
    currency: Type.Optional(Currency),
    date: Type.Optional(Day),
    date_after: Type.Optional({ ...Day, description: 'On or after this date.' }),
    date_before: Type.Optional({ ...Day, description: 'On or before this date.' }),
  },
  '-date',
);
export type ListExchangeRatesQuery = Static<typeof ListExchangeRatesQuery>;
