import { Type, type Static } from '@sinclair/typebox';
import { listQuerySchema, pageSchema } from '../../../src/kernel/http/pagination';

const Color = Type.Union([Type.Literal('red'), Type.Literal('green'), Type.Literal('blue')]);

export const Widget = Type.Object(
  {
    id: Type.String({ examples: ['wdg_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
    name: Type.String(),
    color: Type.Union([Color, Type.Null()]),
    quantity: Type.Integer(),
    version: Type.Integer(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'Widget' },
);
export type Widget = Static<typeof Widget>;

export const CreateWidget = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    color: Type.Optional(Color),
    quantity: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
export type CreateWidget = Static<typeof CreateWidget>;

export const UpdateWidget = Type.Partial(CreateWidget, { additionalProperties: false, minProperties: 1 });
export type UpdateWidget = Static<typeof UpdateWidget>;

export const WidgetParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const ListWidgetsQuery = listQuerySchema(['created_at', 'name'], {
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Free-text search in the name.' })),
  color: Type.Optional(Color),
}, '-created_at');
export type ListWidgetsQuery = Static<typeof ListWidgetsQuery>;

export const WidgetPage = pageSchema(Widget);
