import { useEffect, useState } from 'preact/hooks';
import { formatMoney } from '../../../libs/domain/src/money-format';
import { CheckoutApi, CheckoutError, type CheckoutSession, type Solution, type Tender } from './api';
import { giftCardError, paymentError, REFUSED, REFUSED_WITH_GIFT_CARD } from './messages';

interface AppliedGiftCard {
  solution: Solution;
  cardNumber: string;
  pin?: string;
  lastFour: string;
  applied: number;
}

export interface CheckoutProps {
  api: CheckoutApi;
  /** Tender's hosted page shows the merchant's name as its title. */
  hosted: boolean;
  /** Where the browser goes: the partner's page, or the merchant's (a test may watch it). */
  navigate: (url: string) => void;
}

/** What a session that takes no payment any more tells the shopper (a reload after paying…). */
const CLOSED_STATUS_TEXT: Record<string, string> = {
  SUBMITTED: 'Your payment is being processed.',
  COMPLETED: 'This order is paid. Thank you!',
  FAILED: 'The payment did not go through. Go back to the shop to start again.',
  EXPIRED: 'This checkout is closed. Go back to the shop to start again.',
};

const codeOf = (error: unknown) => (error instanceof CheckoutError ? error.code : 'unexpected');

/** The checkout: amount, gift card (apply, remove), remainder paid by card on the partner's page. */
export function Checkout({ api, hosted, navigate }: CheckoutProps) {
  const [session, setSession] = useState<CheckoutSession>();
  const [loadError, setLoadError] = useState<string>();
  const [giftCard, setGiftCard] = useState<AppliedGiftCard>();
  const [giftCardMessage, setGiftCardMessage] = useState<string>();
  const [paymentMessage, setPaymentMessage] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.session().then(setSession, (error) => setLoadError(paymentError(codeOf(error))));
  }, [api]);

  if (loadError) return <Frame>{errorRegion('payment-error', loadError)}</Frame>;
  if (!session)
    return (
      <Frame>
        <p class="tender-muted">Loading the checkout…</p>
      </Frame>
    );

  const locale = document.documentElement.lang || navigator.language;
  const money = (minor: number) => formatMoney(minor, session.currency, locale);
  const giftSolution = session.solutions.find((s) => s.kind === 'giftcard');
  const cardSolution = session.solutions.find((s) => s.kind === 'hosted_card');
  const remaining = session.amount - (giftCard?.applied ?? 0);
  const open = session.status === 'CREATED';

  const apply = async (event: Event) => {
    event.preventDefault();
    if (!giftSolution) return;
    const form = event.currentTarget as HTMLFormElement;
    const cardNumber = (form.elements.namedItem('giftcard-number') as HTMLInputElement).value.replace(
      /\s/g,
      '',
    );
    const pin =
      (form.elements.namedItem('giftcard-pin') as HTMLInputElement | null)?.value.trim() || undefined;
    setGiftCardMessage(undefined);
    setPaymentMessage(undefined);
    setBusy(true);
    try {
      const balance = await api.balance(giftSolution.partner, giftSolution.method, cardNumber, pin);
      if (balance.balance <= 0) {
        setGiftCardMessage('This gift card has no balance left.');
      } else {
        const applied = Math.min(balance.balance, session.amount);
        setGiftCard({ solution: giftSolution, cardNumber, pin, lastFour: balance.last_four_digits, applied });
      }
    } catch (error) {
      setGiftCardMessage(giftCardError(codeOf(error)));
    } finally {
      setBusy(false);
    }
  };

  const pay = async () => {
    setPaymentMessage(undefined);
    const split: Tender[] = [];
    if (giftCard) {
      split.push({
        partner: giftCard.solution.partner,
        method: giftCard.solution.method,
        amount: giftCard.applied,
        payment_method: { card_number: giftCard.cardNumber, ...(giftCard.pin ? { pin: giftCard.pin } : {}) },
      });
    }
    if (remaining > 0 && cardSolution) {
      split.push({ partner: cardSolution.partner, method: cardSolution.method, amount: remaining });
    }
    setBusy(true);
    try {
      const submitted = await api.pay(split);
      const next = submitted.redirect_url ?? submitted.return_url;
      if (next) return navigate(next); // stays busy: the page is leaving
      setPaymentMessage(giftCard ? REFUSED_WITH_GIFT_CARD : REFUSED);
      setSession({ ...session, status: 'FAILED' });
    } catch (error) {
      setPaymentMessage(paymentError(codeOf(error)));
    }
    setBusy(false);
  };

  return (
    <Frame title={hosted ? `Pay ${session.merchant_name}` : undefined}>
      <p class="tender-total">
        Total <strong data-testid="total-amount">{money(session.amount)}</strong>
      </p>
      {giftSolution && open && !giftCard && (
        <form class="tender-giftcard" onSubmit={(event) => void apply(event)} noValidate>
          <div class="tender-field">
            <label for="tender-giftcard-number">Gift card number</label>
            <input
              id="tender-giftcard-number"
              name="giftcard-number"
              data-testid="giftcard-number"
              inputMode="numeric"
              autoComplete="off"
              required
              maxLength={23}
              aria-describedby="tender-giftcard-error"
            />
          </div>
          {giftSolution.pin !== 'none' && (
            <div class="tender-field tender-pin">
              <label for="tender-giftcard-pin">
                PIN{giftSolution.pin === 'optional' ? ' (optional)' : ''}
              </label>
              <input
                id="tender-giftcard-pin"
                name="giftcard-pin"
                data-testid="giftcard-pin"
                inputMode="numeric"
                autoComplete="off"
                maxLength={8}
                required={giftSolution.pin === 'required'}
              />
            </div>
          )}
          <button type="submit" data-testid="giftcard-apply" disabled={busy}>
            Apply gift card
          </button>
        </form>
      )}
      <div id="tender-giftcard-error" role="alert" aria-live="assertive">
        {giftCardMessage && (
          <p class="tender-error" data-testid="giftcard-error">
            {giftCardMessage}
          </p>
        )}
      </div>
      {giftCard && (
        <div class="tender-applied" data-testid="giftcard-applied">
          <span>
            Gift card •••• {giftCard.lastFour}: <strong>−{money(giftCard.applied)}</strong>
          </span>
          {open && (
            <button type="button" class="tender-link" onClick={() => setGiftCard(undefined)} disabled={busy}>
              Remove<span class="tender-sr"> gift card ending {giftCard.lastFour}</span>
            </button>
          )}
        </div>
      )}
      <p class="tender-remaining">
        {remaining > 0 ? 'Left to pay' : 'Nothing left to pay by card'}{' '}
        <strong data-testid="remaining-amount">{money(remaining)}</strong>
      </p>
      {open && (remaining === 0 || cardSolution) && (
        <button
          type="button"
          class="tender-pay"
          data-testid="card-pay"
          onClick={() => void pay()}
          disabled={busy}
        >
          {remaining > 0 ? `Pay ${money(remaining)} by card` : 'Pay with gift card'}
        </button>
      )}
      {open && remaining > 0 && cardSolution && (
        <p class="tender-muted">You will enter your card on our payment partner’s secure page.</p>
      )}
      {!open && !paymentMessage && (
        <p class="tender-muted" data-testid="checkout-status">
          {CLOSED_STATUS_TEXT[session.status] ?? CLOSED_STATUS_TEXT.EXPIRED}
        </p>
      )}
      <div role="alert" aria-live="assertive">
        {paymentMessage && (
          <p class="tender-error" data-testid="payment-error">
            {paymentMessage}
          </p>
        )}
      </div>
    </Frame>
  );
}

function Frame({ title, children }: { title?: string; children: preact.ComponentChildren }) {
  return (
    <section class="tender" aria-label={title ?? 'Payment'}>
      {title && <h2 class="tender-title">{title}</h2>}
      {children}
    </section>
  );
}

function errorRegion(testId: string, message: string) {
  return (
    <div role="alert" aria-live="assertive">
      <p class="tender-error" data-testid={testId}>
        {message}
      </p>
    </div>
  );
}
