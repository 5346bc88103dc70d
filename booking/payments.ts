// The payment boundary. Charges are idempotent by key (the hold id), so a retried confirm never
// charges twice; a charge that can no longer become a sale is refunded. The bundled provider is an
// explicit test provider: its card numbers approve, decline or time out, and it moves no money.
export interface ChargeRequest {
  idempotencyKey: string;
  amountCents: number;
  paymentToken: string;
}

export type ChargeResult = { status: 'approved'; paymentId: string } | { status: 'declined'; reason: string };

export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(paymentId: string): Promise<void>;
}

/** The provider did not answer in time: the charge may or may not exist; retrying is safe. */
export class PaymentTimeoutError extends Error {
  constructor() {
    super('payment provider timed out');
    this.name = 'PaymentTimeoutError';
  }
}

export const TEST_CARDS = {
  approve: '4242424242424242',
  decline: '4000000000000002',
  timeout: '4000000000000119',
} as const;

interface TestCharge {
  paymentId: string;
  amountCents: number;
  refunded: boolean;
}

export class TestPaymentProvider implements PaymentProvider {
  private readonly charges = new Map<string, TestCharge>();

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    if (request.paymentToken === TEST_CARDS.timeout) throw new PaymentTimeoutError();
    if (request.paymentToken === TEST_CARDS.decline) return { status: 'declined', reason: 'card_declined' };
    if (request.paymentToken !== TEST_CARDS.approve) return { status: 'declined', reason: 'unknown_test_card' };
    let charge = this.charges.get(request.idempotencyKey);
    if (!charge) {
      charge = { paymentId: `pay_${request.idempotencyKey}`, amountCents: request.amountCents, refunded: false };
      this.charges.set(request.idempotencyKey, charge);
    }
    return { status: 'approved', paymentId: charge.paymentId };
  }

  async refund(paymentId: string): Promise<void> {
    for (const charge of this.charges.values()) if (charge.paymentId === paymentId) charge.refunded = true;
  }

  /** For tests and the audit of a demo run: every charge and whether it was refunded. */
  ledger(): TestCharge[] {
    return [...this.charges.values()].map((charge) => ({ ...charge }));
  }
}
