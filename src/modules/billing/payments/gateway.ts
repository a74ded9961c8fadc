import type { Dec } from '../money';

/** What the service asks a provider to record or collect. Amounts are exact decimals in `currency`. */
export interface GatewayPaymentRequest {
  organizationId: string;
  /** Our id (`pay_…`). */
  paymentId: string;
  /** What to give the provider as its idempotency key; see GatewayRefundRequest.idempotencyKey. */
  idempotencyKey: string;
  clientId: string;
  amount: Dec;
  currency: string;
  method: string;
  date: string;
  /** The caller's reference (cheque number, bank transfer id, UPI transaction id…). */
  reference: string | null;
  /** Provider-specific input (a Stripe payment method id, a Razorpay order id…), passed through untouched. */
  providerData: Record<string, unknown>;
}

export interface GatewayRefundRequest {
  organizationId: string;
  paymentId: string;
  /** Our id (`rfd_…`). */
  refundId: string;
  /**
   * What to give the provider as its idempotency key (Stripe's `Idempotency-Key`, Razorpay's
   * receipt…). When the API call carried an Idempotency-Key it is derived from it, so the
   * caller's retry after a failure on our side (the provider refunded, our commit did not happen)
   * gets the provider's first refund back instead of a second one; otherwise it is our id.
   */
  idempotencyKey: string;
  /** The provider's id of the payment being refunded, as `createPayment` answered it. */
  providerReference: string | null;
  amount: Dec;
  currency: string;
  reason: string;
}

/** A provider's answer: its own id for the operation (null when it has none). */
export interface GatewayResult {
  providerReference: string | null;
}

/**
 * A payment provider. `createPayment` and `refund` either succeed (answering the provider's
 * reference) or throw (a `ProblemError` for a refusal the caller should see, e.g. 402 or 422);
 * a throw rolls the whole operation back, so nothing is recorded for a refused payment.
 */
export interface PaymentGateway {
  readonly name: string;
  createPayment(request: GatewayPaymentRequest): Promise<GatewayResult>;
  refund(request: GatewayRefundRequest): Promise<GatewayResult>;
}

/** `manual`: money received outside the system (cash, cheque, transfer…) is only recorded; nothing is called. */
export const manualGateway: PaymentGateway = {
  name: 'manual',
  async createPayment(request) {
    return { providerReference: request.reference };
  },
  async refund() {
    return { providerReference: null };
  },
};

/** The providers by name; the service looks a payment's provider up here and knows no provider itself. */
export class PaymentGatewayRegistry {
  private readonly gateways = new Map<string, PaymentGateway>();

  constructor(gateways: PaymentGateway[] = [manualGateway]) {
    for (const gateway of gateways) this.register(gateway);
  }

  register(gateway: PaymentGateway): void {
    if (this.gateways.has(gateway.name)) throw new Error(`Payment gateway ${gateway.name} is already registered`);
    this.gateways.set(gateway.name, gateway);
  }

  get(name: string): PaymentGateway | undefined {
    return this.gateways.get(name);
  }

  names(): string[] {
    return [...this.gateways.keys()];
  }
}
