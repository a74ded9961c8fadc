import { Type, type Static } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;
const Day = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const Amount = Type.String({ description: 'Decimal amount in the currency of its group, e.g. `"1180.00"`.' });

const ClientFilter = Type.Optional(Type.String({ maxLength: 64, description: 'Only this client’s documents.' }));
const format = (rows: string) =>
  Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('xlsx')], { default: 'json', description: `\`csv\` or \`xlsx\`: the same figures as a download, ${rows}.` });

export const TaxSummaryQuery = Type.Object(
  {
    from: Type.String({ format: 'date', description: 'First issue date of the period (included).' }),
    to: Type.String({ format: 'date', description: 'Last issue date of the period (included).' }),
    client_id: ClientFilter,
    format: format('one row per tax line and one total row per currency'),
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

export const ArAgingQuery = Type.Object(
  {
    as_of: Type.Optional(Type.String({ format: 'date', description: 'The day the balances are taken at the end of (default: today, UTC).' })),
    client_id: ClientFilter,
    format: format('one row per client and currency and one total row per currency'),
  },
  strict,
);
export type ArAgingQuery = Static<typeof ArAgingQuery>;

const buckets = {
  current: Type.String({ description: 'Not yet due, or due on `as_of` itself.' }),
  days_1_30: Amount,
  days_31_60: Amount,
  days_61_90: Amount,
  days_over_90: Amount,
  total: Amount,
  invoices: Type.Integer({ description: 'Invoices with something still owed.' }),
};

export const ArAging = Type.Object(
  {
    as_of: Day,
    client_id: Type.Union([Type.String(), Type.Null()]),
    currency_totals: Type.Array(
      Type.Object(
        {
          currency: Type.String(),
          ...buckets,
          clients: Type.Integer(),
          days_sales_outstanding: Type.Union([Type.String(), Type.Null()], { description: 'Total owed ÷ invoiced over the 90 days ending `as_of` × 90, in days (one decimal); null when nothing was invoiced then.' }),
        },
        strict,
      ),
    ),
    clients: Type.Array(Type.Object({ client_id: Type.String(), client_name: Type.String(), currency: Type.String(), ...buckets, oldest_due_date: Day }, strict)),
  },
  { $id: 'ArAging', ...strict },
);
export type ArAging = Static<typeof ArAging>;

export const RevenueQuery = Type.Object(
  {
    from: Type.String({ format: 'date', description: 'First day of the period (included).' }),
    to: Type.String({ format: 'date', description: 'Last day of the period (included).' }),
    interval: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month'), Type.Literal('quarter')], { default: 'month', description: 'Weeks start on Monday.' }),
    client_id: ClientFilter,
    format: format('one row per interval and currency and one total row per currency'),
  },
  strict,
);
export type RevenueQuery = Static<typeof RevenueQuery>;

const movements = {
  invoices: Type.Integer(),
  invoiced: Type.String({ description: 'Finalized invoices (not void), by issue date.' }),
  credited: Type.String({ description: 'Credit notes, by issue date.' }),
  collected: Type.String({ description: 'Payments received, by payment date (client credit from credit notes is not money received).' }),
  refunded: Type.String({ description: 'Money given back, by refund date.' }),
  net_collected: Type.String({ description: 'collected − refunded.' }),
};
const BaseMovements = Type.Object(
  {
    currency: Type.String(),
    ...Type.Omit(Type.Object(movements), ['invoices']).properties,
    complete: Type.Boolean({ description: 'False when a currency had no recorded rate on or before the period’s end: it is then left out of these sums.' }),
  },
  strict,
);

export const Revenue = Type.Object(
  {
    from: Day,
    to: Day,
    interval: Type.String(),
    client_id: Type.Union([Type.String(), Type.Null()]),
    base_currency: Type.Union([Type.String(), Type.Null()]),
    periods: Type.Array(
      Type.Object(
        {
          start: Day,
          end: Day,
          currencies: Type.Array(
            Type.Object(
              {
                currency: Type.String(),
                ...movements,
                rate_to_base: Type.Union([Type.String(), Type.Null()], { description: 'The recorded rate in force on the period’s last day (1 for the base currency; null when none was recorded).' }),
                rate_date: Type.Union([Day, Type.Null()], { description: 'The day that rate was recorded for.' }),
              },
              strict,
            ),
          ),
          base: Type.Union([BaseMovements, Type.Null()], { description: 'The period in the base currency; null before the billing profile sets one.' }),
        },
        strict,
      ),
    ),
    totals: Type.Array(Type.Object({ currency: Type.String(), ...movements }, strict)),
    base_totals: Type.Union([BaseMovements, Type.Null()]),
    clients: Type.Array(Type.Object({ client_id: Type.String(), client_name: Type.String(), currency: Type.String(), ...movements }, strict)),
    categories: Type.Array(
      Type.Object(
        {
          currency: Type.String(),
          category_id: Type.Union([Type.String(), Type.Null()], { description: 'null: lines without a category.' }),
          category_name: Type.Union([Type.String(), Type.Null()]),
          lines: Type.Integer(),
          taxable_value: Type.String({ description: 'Line amounts less discounts, before tax.' }),
          invoiced: Type.String({ description: 'Line totals with tax; over all categories of a currency, its invoiced total.' }),
        },
        strict,
      ),
      { description: 'Invoiced per category of the invoice lines (master data categories), per currency, largest first. Credit notes are not split by category.' },
    ),
  },
  { $id: 'Revenue', ...strict },
);
export type Revenue = Static<typeof Revenue>;

export const ClientsReportQuery = Type.Object(
  {
    client_id: ClientFilter,
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'The top clients per currency, by lifetime value.' }),
    format: format('one row per client and currency'),
  },
  strict,
);
export type ClientsReportQuery = Static<typeof ClientsReportQuery>;

export const ClientsReport = Type.Object(
  {
    client_id: Type.Union([Type.String(), Type.Null()]),
    clients: Type.Array(
      Type.Object(
        {
          client_id: Type.String(),
          client_name: Type.String(),
          currency: Type.String(),
          invoices: Type.Integer({ description: 'Finalized invoices that are not void.' }),
          invoiced: Amount,
          credited: Amount,
          lifetime_value: Type.String({ description: 'invoiced − credited.' }),
          collected: Type.String({ description: 'Money received less refunds.' }),
          paid_invoices: Type.Integer(),
          average_days_to_pay: Type.Union([Type.String(), Type.Null()], { description: 'From issue date to the day the last payment counted, over paid invoices.' }),
          on_time_rate: Type.Union([Type.String(), Type.Null()], { description: 'Share of paid invoices paid by their due date, 0 to 1 (two decimals).' }),
          last_invoice_date: Day,
          last_payment_date: Type.Union([Day, Type.Null()]),
          last_activity: Day,
        },
        strict,
      ),
    ),
  },
  { $id: 'ClientsReport', ...strict },
);
export type ClientsReport = Static<typeof ClientsReport>;

export const DashboardQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date', description: 'First day (default: 29 days before `to`).' })),
    to: Type.Optional(Type.String({ format: 'date', description: 'Last day (default: today, UTC).' })),
  },
  strict,
);
export type DashboardQuery = Static<typeof DashboardQuery>;

const BaseAmount = Type.Union([Type.String(), Type.Null()], { description: 'In the base currency; null before the billing profile sets one.' });
export const ExecutiveDashboard = Type.Object(
  {
    period: Type.Object({ from: Day, to: Day }, strict),
    organization_summary: Type.Object(
      {
        total_users: Type.Integer(),
        active_users: Type.Integer(),
        total_companies: Type.Null({ description: 'No source yet: organizations have no companies.' }),
        active_integrations: Type.Integer({ description: 'Enabled webhook endpoints.' }),
        data_volume_processed: Type.Integer({ description: 'Events recorded in the period (every change made through the API records one).' }),
      },
      strict,
    ),
    financial_metrics: Type.Object(
      {
        currency: Type.Union([Type.String(), Type.Null()], { description: 'The base currency every amount here is in.' }),
        total_revenue: BaseAmount,
        total_expenses: Type.Null({ description: 'No source yet: there is no expenses feature.' }),
        net_profit: Type.Null({ description: 'Needs expenses.' }),
        profit_margin_percent: Type.Null({ description: 'Needs expenses.' }),
        cash_flow: BaseAmount,
        accounts_receivable: BaseAmount,
        complete: Type.Boolean({ description: 'False when a currency without a recorded rate was left out of these sums.' }),
      },
      strict,
    ),
    performance_trends: Type.Object(
      {
        daily_trends: Type.Array(
          Type.Object({ date: Day, revenue: BaseAmount, orders: Type.Integer({ description: 'Invoices issued that day.' }), collected: BaseAmount }, strict),
        ),
      },
      strict,
    ),
  },
  { $id: 'ExecutiveDashboard', ...strict },
);
export type ExecutiveDashboard = Static<typeof ExecutiveDashboard>;

const ChartCurrency = Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$', description: 'The currency drawn (default: the base currency).' }));

export const RevenueChartQuery = Type.Object(
  { ...Type.Omit(RevenueQuery, ['format']).properties, currency: ChartCurrency },
  { ...strict, description: 'In the base currency every currency is converted (as in the report’s `base`); in another, only that currency’s own amounts.' },
);
export type RevenueChartQuery = Static<typeof RevenueChartQuery>;

export const ArAgingChartQuery = Type.Object({ ...Type.Omit(ArAgingQuery, ['format']).properties, currency: ChartCurrency }, strict);
export type ArAgingChartQuery = Static<typeof ArAgingChartQuery>;

export const ForecastQuery = Type.Object(
  {
    months: Type.Integer({ minimum: 1, maximum: 12, default: 3, description: 'How many months ahead.' }),
    currency: ChartCurrency,
    level: Type.Number({ minimum: 0.5, maximum: 0.99, default: 0.95, description: 'Confidence level of the prediction intervals.' }),
  },
  strict,
);
export type ForecastQuery = Static<typeof ForecastQuery>;

const MonthFigure = Type.Object({ month: Type.String({ description: 'YYYY-MM' }), revenue: Amount }, strict);
export const RevenueForecast = Type.Object(
  {
    currency: Type.String(),
    method: Type.String({ description: 'The model fitted to the history.' }),
    level: Type.Number(),
    history: Type.Array(MonthFigure, { description: 'Monthly revenue (invoiced less credited) up to the last full month, from the first month with any.' }),
    forecast: Type.Array(Type.Object({ month: Type.String(), revenue: Amount, lower: Amount, upper: Amount }, strict)),
    backtest: Type.Union(
      [
        Type.Object(
          {
            months: Type.Integer({ description: 'The last months of the history, forecast from the months before them.' }),
            mean_absolute_error: Amount,
            mean_absolute_percentage_error: Type.Union([Type.String(), Type.Null()], { description: 'Percent, over the months with revenue; null when none had any.' }),
          },
          strict,
        ),
        Type.Null(),
      ],
      { description: 'Null when the history is too short to hold months back.' },
    ),
  },
  { $id: 'RevenueForecast', ...strict },
);
export type RevenueForecast = Static<typeof RevenueForecast>;

const RiskLevel = Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]);
export const ChurnRiskQuery = Type.Object(
  {
    min_level: Type.Optional(RiskLevel),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  },
  strict,
);
export type ChurnRiskQuery = Static<typeof ChurnRiskQuery>;

export const ChurnRisk = Type.Object(
  {
    as_of: Day,
    clients: Type.Array(
      Type.Object(
        {
          client_id: Type.String(),
          client_name: Type.String(),
          currency: Type.String(),
          risk_score: Type.Integer({ minimum: 1, maximum: 100 }),
          risk_level: RiskLevel,
          reasons: Type.Array(Type.String(), { description: 'Why, in words: each signal that added to the score.' }),
          last_invoice_date: Day,
          lifetime_value: Amount,
        },
        strict,
      ),
    ),
  },
  { $id: 'ChurnRisk', ...strict },
);
export type ChurnRisk = Static<typeof ChurnRisk>;
