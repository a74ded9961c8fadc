/** Requests the bench tools make to a bench server (bench/server.ts) to prepare its data. */

export async function postJson<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url} -> ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/**
 * A client (INR, Karnataka) of the token's organization with `count` invoices seeded in one
 * statement (`POST /bench/invoices`, bench/seed.ts: two lines each, a quarter open).
 */
export async function seedInvoices(url: string, token: string, count: number): Promise<{ clientId: string; seeded: { rows: number; ms: number } }> {
  const organizationId = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { org: string }).org;
  const client = await postJson<{ id: string }>(
    `${url}/api/v1/clients`,
    { name: 'Bench Client', currency: 'INR', billing_address: { line1: '1 Road', city: 'Bengaluru', state: 'KA', country: 'IN' } },
    { authorization: `Bearer ${token}` },
  );
  const seeded = await postJson<{ rows: number; ms: number }>(`${url}/bench/invoices`, { organization_id: organizationId, client_id: client.id, count });
  return { clientId: client.id, seeded };
}
