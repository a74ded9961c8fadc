import { Type, type Static } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;
const Day = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const Amount = Type.String({ description: 'Decimal amount in the currency of its group, e.g. `"1180.00"`.' });

export const TaxSummaryQuery = Type.Object(
  {
    from: Type.String({ format: 'date', description: 'First issue date of the period (included).' }),
    to: Type.String({ format: 'date', description: 'Last issue date of the period (included).' }),
    client_id: Type.Optional(Type.String({ maxLength: 64, description: 'Only this client’s invoices and credit notes.' })),
    format: Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('xlsx')], { default: 'json', description: '`csv` or `xlsx`: the same figures as a download, one row per tax line and one total row per currency.' }),
  },
  strict,
);
export type TaxSummaryQuery = Static<typeof TaxSummaryQuery>;

const DocumentTotals = Type.Object({ count: Type.Integer(), taxable_value: Amount, tax: Amount, total: Amount }, strict);
const LineFigures = Type.Object({ documents: Type.Integer(), taxable_value: Amount, tax: Amount }, strict);

export const TaxSummary = Type.Object(
  {
    from: Day,
    to: Day,
    client_id: Type.Union([Type.String(), Type.Null()]),
    currencies: Type.Array(
      Type.Object(
        {
          currency: Type.String(),
          invoices: DocumentTotals,
          credit_notes: DocumentTotals,
          net: Type.Object({ taxable_value: Amount, tax: Amount, total: Amount }, strict),
          tax_lines: Type.Array(
            Type.Object(
              {
                tax_code_id: Type.String(),
                tax_code: Type.String(),
                component: Type.String({ description: '`cgst`, `sgst`, `igst`, `vat`…' }),
                rate: Type.String({ description: 'Percent.' }),
                supply_type: Type.Union([Type.Literal('intra_state'), Type.Literal('inter_state')]),
                invoiced: LineFigures,
                credited: LineFigures,
                net: Type.Object({ taxable_value: Amount, tax: Amount }, strict),
              },
              strict,
            ),
          ),
        },
        strict,
      ),
    ),
  },
  { $id: 'TaxSummary', ...strict },
);
export type TaxSummary = Static<typeof TaxSummary>;
