import { expect } from 'vitest';
import { requestsOn, type BillingWorld } from '../billing/harness';

/** Requests for the report tests: `created` expects a 201, `issued` makes a finalized invoice. */
export function reportRequests(world: () => BillingWorld) {
  const { get, post } = requestsOn(world);
  async function created(url: string, body: object, token = world().adminA) {
    const response = await post(url, body, token);
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }
  /**
   * A finalized invoice issued on `issueDate`: `lines`, or one untaxed line for an amount given
   * as a string; `extra` adds draft fields (due_date, exchange_rate…).
   */
  async function issued(client: string, issueDate: string, lines: string | object[], extra: object = {}, token = world().adminA) {
    const draftLines = typeof lines === 'string' ? [{ description: 'Work', quantity: 1, unit_price: lines }] : lines;
    const draft = await created('/invoices', { client_id: client, issue_date: issueDate, lines: draftLines, ...extra }, token);
    const response = await post(`/invoices/${draft.id}/finalize`, {}, token);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }
  return { get, post, created, issued };
}
