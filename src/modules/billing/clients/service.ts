import { escapeLike } from '../../../kernel/db/like';
import { and, asc, eq, gte, inArray, lt, ne, sql, type SQL } from 'drizzle-orm';
import { recordAudit, type RequestOrigin } from '../../../kernel/audit/audit';
import type { Actor } from '../../../kernel/auth/actor';
import type { Executor } from '../../../kernel/db/database';
import { newId } from '../../../kernel/db/ids';
import { emitEvent } from '../../../kernel/events/outbox';
import { assertVersion } from '../../../kernel/http/etag';
import { paginate } from '../../../kernel/http/pagination';
import { conflict, validationFailed, type FieldError } from '../../../kernel/http/problem';
import type { Kernel } from '../../../kernel/kernel';
import { checkTaxId, normalizeAddress, type Address, type AddressInput } from '../addresses';
import { referencedIn } from '../master-data/index';
import { Dec, formatMoney, isCurrency, isFieldError, parseAmount } from '../money';
import { loaderOf } from '../rows';
import type { Client, ClientFilters, ContactInput, CreateClientBody, ListClientsQuery, UpdateClientBody } from './schemas';
import { clientContacts, clients } from './tables';

type Row = typeof clients.$inferSelect;
type ContactRow = typeof clientContacts.$inferSelect;

/** Everything a client is made of, as the API takes it: what create receives, and update merges into. */
type ClientInput = Required<Omit<CreateClientBody, 'credit_limit'>> & { credit_limit: string | number | null };

interface ClientValues {
  name: string;
  email: string | null;
  phone: string | null;
  currency: string;
  billingAddress: Address;
  shippingAddress: Address | null;
  taxId: string | null;
  creditLimit: string | null;
  paymentTermsId: string | null;
  tags: string[];
  notes: string;
  contacts: { name: string; email: string | null; phone: string | null; isPrimary: boolean }[];
}

export interface ClientServiceDeps {
  /** Whether the organization has these payment terms (the master data of this module), kept until commit. */
  paymentTermsExist(executor: Executor, organizationId: string, id: string): Promise<boolean>;
  /** Whether invoices name this client (it then cannot be deleted). */
  hasInvoices(executor: Executor, organizationId: string, clientId: string): Promise<boolean>;
}

export const presentClient = (row: Row, contacts: ContactRow[]): Client => ({
  id: row.id,
  name: row.name,
  email: row.email,
  phone: row.phone,
  currency: row.currency,
  billing_address: row.billingAddress,
  shipping_address: row.shippingAddress,
  tax_id: row.taxId,
  credit_limit: row.creditLimit === null ? null : formatMoney(new Dec(row.creditLimit), row.currency),
  payment_terms_id: row.paymentTermsId,
  tags: row.tags,
  notes: row.notes,
  contacts: contacts.map((c) => ({ id: c.id, name: c.name, email: c.email, phone: c.phone, is_primary: c.isPrimary })),
  version: row.version,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

const toInput = (client: Client): ClientInput => ({
  name: client.name,
  email: client.email,
  phone: client.phone,
  currency: client.currency,
  billing_address: client.billing_address,
  shipping_address: client.shipping_address,
  tax_id: client.tax_id,
  credit_limit: client.credit_limit,
  payment_terms_id: client.payment_terms_id,
  tags: client.tags,
  notes: client.notes,
  contacts: client.contacts.map(({ name, email, phone, is_primary }) => ({ name, email, phone, is_primary })),
});

const withDefaults = (input: CreateClientBody): ClientInput => ({
  email: null,
  phone: null,
  shipping_address: null,
  tax_id: null,
  credit_limit: null,
  payment_terms_id: null,
  tags: [],
  notes: '',
  contacts: [],
  ...input,
});

function checkContacts(contacts: ContactInput[], errors: FieldError[]): ClientValues['contacts'] {
  const primaries = contacts.filter((c) => c.is_primary).length;
  if (primaries > 1) errors.push({ field: 'contacts', message: 'at most one contact may be primary' });
  return contacts.map((c, i) => ({
    name: c.name.trim(),
    email: c.email?.toLowerCase() ?? null,
    phone: c.phone ?? null,
    isPrimary: primaries === 0 ? i === 0 : c.is_primary === true,
  }));
}

/** Checks the whole client and normalises it; throws 422 with every problem at once. */
export function checkClient(input: ClientInput): ClientValues {
  const errors: FieldError[] = [];
  const name = input.name.trim();
  if (name === '') errors.push({ field: 'name', message: 'must not be blank' });
  const currency = input.currency.toUpperCase();
  if (!isCurrency(currency)) errors.push({ field: 'currency', message: 'must be an ISO 4217 currency code such as INR or USD' });
  const billingAddress = normalizeAddress(input.billing_address, 'billing_address', errors);
  const shippingAddress = input.shipping_address ? normalizeAddress(input.shipping_address as AddressInput, 'shipping_address', errors) : null;
  const taxId = checkTaxId(input.tax_id, billingAddress, 'tax_id', errors);
  let creditLimit: string | null = null;
  if (input.credit_limit !== null && isCurrency(currency)) {
    const parsed = parseAmount(input.credit_limit, 'credit_limit', currency);
    if (isFieldError(parsed)) errors.push(parsed);
    else creditLimit = parsed.toFixed();
  }
  const tags = [...new Map(input.tags.map((t) => t.trim()).filter(Boolean).map((t) => [t.toLowerCase(), t])).values()];
  const contacts = checkContacts(input.contacts, errors);
  if (errors.length > 0) throw validationFailed(errors);
  return {
    name,
    email: input.email?.toLowerCase() ?? null,
    phone: input.phone,
    currency,
    billingAddress,
    shippingAddress,
    taxId,
    creditLimit,
    paymentTermsId: input.payment_terms_id,
    tags,
    notes: input.notes,
    contacts,
  };
}


/** Every word of `q` must appear somewhere in the client or one of its contacts. */
function searchCondition(q: string): SQL {
  const words = q.trim().split(/\s+/).slice(0, 8);
  return and(
    ...words.map((word) => {
      const pattern = `%${escapeLike(word)}%`;
      return sql`(${clients.name} ILIKE ${pattern} OR ${clients.email} ILIKE ${pattern} OR ${clients.taxId} ILIKE ${pattern} OR EXISTS (
        SELECT 1 FROM ${clientContacts} WHERE ${clientContacts.clientId} = ${clients.id} AND (${clientContacts.name} ILIKE ${pattern} OR ${clientContacts.email} ILIKE ${pattern})))`;
    }),
  )!;
}

/** The tenant scope and the filters shared by the list and the export. */
export function clientFilter(actor: Actor, filters: ClientFilters): SQL {
  const t = clients;
  return and(
    eq(t.organizationId, actor.organizationId),
    filters.q ? searchCondition(filters.q) : undefined,
    filters.currency ? eq(t.currency, filters.currency.toUpperCase()) : undefined,
    filters.tag ? sql`${t.tags} @> ${JSON.stringify([filters.tag])}::jsonb` : undefined,
    filters.country ? sql`${t.billingAddress}->>'country' = ${filters.country.toUpperCase()}` : undefined,
    filters.created_after ? gte(t.createdAt, new Date(filters.created_after)) : undefined,
    filters.created_before ? lt(t.createdAt, new Date(filters.created_before)) : undefined,
  )!;
}

const scoped = (actor: Actor, id: string) => and(eq(clients.organizationId, actor.organizationId), eq(clients.id, id));

/** Clients of the caller's organization: CRUD with contacts, search, each change audited with its event. */
export function clientService(kernel: Kernel, deps: ClientServiceDeps) {
  async function contactsOf(executor: Executor, ids: string[]): Promise<Map<string, ContactRow[]>> {
    const byClient = new Map<string, ContactRow[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return byClient;
    const rows = await executor.select().from(clientContacts).where(inArray(clientContacts.clientId, ids)).orderBy(asc(clientContacts.clientId), asc(clientContacts.position));
    for (const row of rows) byClient.get(row.clientId)?.push(row);
    return byClient;
  }

  /** Rows with their contacts, as the API shows them. */
  async function present(executor: Executor, rows: Row[]): Promise<Client[]> {
    const contacts = await contactsOf(executor, rows.map((r) => r.id));
    return rows.map((row) => presentClient(row, contacts.get(row.id) ?? []));
  }

  const load = loaderOf<Row>(clients, clients, 'CLIENT_NOT_FOUND');

  /** Checks what depends on other records: the payment terms exist, the tax id is not another client's. */
  async function checkReferences(tx: Executor, actor: Actor, values: ClientValues, exceptId?: string): Promise<void> {
    if (values.paymentTermsId !== null && !(await deps.paymentTermsExist(tx, actor.organizationId, values.paymentTermsId))) {
      throw validationFailed([{ field: 'payment_terms_id', message: 'no such payment terms in this organization' }]);
    }
    if (values.taxId !== null) {
      const [other] = await tx
        .select({ id: clients.id })
        .from(clients)
        .where(and(eq(clients.organizationId, actor.organizationId), eq(clients.taxId, values.taxId), exceptId ? ne(clients.id, exceptId) : undefined));
      if (other) throw conflict('CLIENT_TAX_ID_EXISTS', { params: { id: other.id } });
    }
  }

  async function replaceContacts(tx: Executor, actor: Actor, clientId: string, contacts: ClientValues['contacts']): Promise<void> {
    await tx.delete(clientContacts).where(eq(clientContacts.clientId, clientId));
    if (contacts.length === 0) return;
    await tx.insert(clientContacts).values(contacts.map((c, position) => ({ id: newId('con'), organizationId: actor.organizationId, clientId, ...c, position })));
  }

  const columnsOf = (values: ClientValues) => {
    const { contacts: _contacts, ...columns } = values;
    return columns;
  };

  async function audit(tx: Executor, origin: RequestOrigin, actor: Actor, action: string, client: Client, metadata: Record<string, unknown> = {}) {
    await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action, resourceType: 'client', resourceId: client.id, metadata });
    await emitEvent(tx, { organizationId: actor.organizationId, type: action, data: client });
  }

  /** Inserts a checked client with its contacts, audited; used by create and by the CSV import. */
  async function insertChecked(tx: Executor, origin: RequestOrigin, actor: Actor, values: ClientValues, via: 'api' | 'import' = 'api'): Promise<Client> {
    const now = kernel.now();
    const [row] = await tx
      .insert(clients)
      .values({ id: newId('cli'), organizationId: actor.organizationId, ...columnsOf(values), createdBy: actor.id, createdAt: now, updatedAt: now })
      .returning();
    await replaceContacts(tx, actor, row!.id, values.contacts);
    const [client] = await present(tx, [row!]);
    await audit(tx, origin, actor, 'client.created', client!, { via });
    return client!;
  }

  return {
    checkReferences,
    insertChecked,

    async create(tx: Executor, origin: RequestOrigin, actor: Actor, input: CreateClientBody): Promise<Client> {
      const values = checkClient(withDefaults(input));
      await checkReferences(tx, actor, values);
      return insertChecked(tx, origin, actor, values);
    },

    /**
     * The client a document names (`client_id`): the caller's organization's, or null with the
     * field error on `client_id` added to `errors` (another organization's client is as unknown).
     */
    async named(executor: Executor, actor: Actor, id: string, errors: FieldError[]): Promise<Client | null> {
      const [row] = await executor.select().from(clients).where(scoped(actor, id));
      if (!row) {
        errors.push({ field: 'client_id', message: 'no such client in this organization' });
        return null;
      }
      const [client] = await present(executor, [row]);
      return client!;
    },

    async get(executor: Executor, actor: Actor, id: string): Promise<Client> {
      const [client] = await present(executor, [await load(executor, actor, id)]);
      return client!;
    },

    async list(executor: Executor, actor: Actor, query: ListClientsQuery) {
      const page = await paginate({
        executor,
        table: clients,
        where: clientFilter(actor, query),
        sortColumns: { created_at: clients.createdAt, name: clients.name },
        idColumn: clients.id,
        params: query,
        cursors: kernel.cursors,
      });
      return { ...page, items: await present(executor, page.items) };
    },

    /** A partial update: the result is checked as a whole (a new country re-checks the tax id). */
    async update(tx: Executor, origin: RequestOrigin, actor: Actor, id: string, patch: UpdateClientBody, expectedVersion?: number[]): Promise<Client> {
      const current = await load(tx, actor, id, true);
      assertVersion(expectedVersion, current.version);
      const [before] = await present(tx, [current]);
      const values = checkClient({ ...toInput(before!), ...patch } as ClientInput);
      await checkReferences(tx, actor, values, id);
      const [row] = await tx
        .update(clients)
        .set({ ...columnsOf(values), version: sql`${clients.version} + 1`, updatedAt: kernel.now() })
        .where(scoped(actor, id))
        .returning();
      if (patch.contacts !== undefined) await replaceContacts(tx, actor, id, values.contacts);
      const [client] = await present(tx, [row!]);
      await audit(tx, origin, actor, 'client.updated', client!, { fields: Object.keys(patch) });
      return client!;
    },

    async remove(tx: Executor, origin: RequestOrigin, actor: Actor, id: string, expectedVersion?: number[]): Promise<void> {
      const current = await load(tx, actor, id, true);
      assertVersion(expectedVersion, current.version);
      if (await deps.hasInvoices(tx, actor.organizationId, id)) throw conflict('CLIENT_HAS_INVOICES');
      const [client] = await present(tx, [current]);
      await tx.delete(clientContacts).where(eq(clientContacts.clientId, id));
      await tx.delete(clients).where(scoped(actor, id));
      await audit(tx, origin, actor, 'client.deleted', client!);
    },

    /** Whether a client has these payment terms as its default. */
    usesPaymentTerms: referencedIn(clients, clients, clients.paymentTermsId),

    /** All matching clients in batches (for exports), in creation order, without OFFSET. */
    async *scan(executor: Executor, actor: Actor, filters: ClientFilters, batchSize = 500): AsyncGenerator<Client[]> {
      let after: { createdAt: Date; id: string } | undefined;
      for (;;) {
        const keyset = after ? sql`(${clients.createdAt}, ${clients.id}) > (${after.createdAt}, ${after.id})` : undefined;
        const rows = await executor.select().from(clients).where(and(clientFilter(actor, filters), keyset)).orderBy(asc(clients.createdAt), asc(clients.id)).limit(batchSize);
        if (rows.length === 0) return;
        yield await present(executor, rows);
        if (rows.length < batchSize) return;
        const last = rows.at(-1)!;
        after = { createdAt: last.createdAt, id: last.id };
      }
    },
  };
}

export type ClientService = ReturnType<typeof clientService>;
