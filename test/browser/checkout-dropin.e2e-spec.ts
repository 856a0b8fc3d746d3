import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createDemoShop } from '../../apps/demo/src/demo-shop';
import { listen, type RunningServer } from '../../apps/simulators/src/common/listen';
import { launchBrowser, screenshot } from '../support/browser';
import { eventually, TestStack } from '../support/stack';

/**
 * The shopper's checkout in Chromium, end to end: the demo shop (EMBEDDED drop-in) and Tender's
 * hosted page (HOSTED_PAGE), a Paytronix gift card plus a card on the partner's hosted page
 * (Connect's hosted checkout; Paytronix's when Connect is not eligible), through the real API,
 * worker and simulators. Screenshots of each step: test-results/screenshots/checkout/.
 */
const SUITE = 'checkout';
const GIFT_CARD = '6000000000000100'; // 100.00
const INACTIVE_CARD = '6000000000009999';

describe('checkout in the browser (drop-in, hosted page)', () => {
  let stack: TestStack;
  let shop: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cspViolations: string[];

  beforeAll(async () => {
    stack = await TestStack.start({ worker: true, publicUrl: true });
    shop = await listen(
      createDemoShop({ apiUrl: stack.apiUrl, token: () => Promise.resolve(stack.frontOffice) }),
    );
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await shop?.close();
    await stack?.close();
  });

  const open = async (width: 360 | 1280) => {
    await stack.sim('paytronix', '/_sim/reset', 'POST', {}); // every gift card at its initial balance
    context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    cspViolations = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  };
  afterEach(async () => {
    await context?.close();
    await stack.prisma.partnerAccount.update({
      where: { entityId_partner: { entityId: stack.entityId, partner: 'connect' } },
      data: { methods: ['card'] },
    });
  });

  const text = async (testId: string) => (await page.getByTestId(testId).textContent())?.trim() ?? '';
  const cardBalance = async (number: string) =>
    (await stack.sim('paytronix', `/_sim/paytronix/cards/${number}`)).balance as string;
  const sessionIdOnPage = async () =>
    (await page.locator('#checkout').getAttribute('data-session'))!.split('.')[0];

  /** The shop's return page: the payment as the shop read it from Tender. */
  const shopResult = async () => {
    const result = page.getByTestId('shop-result');
    await result.waitFor({ timeout: 20000 });
    return { status: await result.getAttribute('data-status'), text: (await result.textContent())!.trim() };
  };

  const applyGiftCard = async (number: string) => {
    await page.getByTestId('giftcard-number').fill(number);
    await page.getByTestId('giftcard-apply').click();
  };

  it('pays 142.99 with a 100.00 gift card and 42.99 by card on the partner’s page (demo shop, 1280 px)', async () => {
    await open(1280);
    const started = Date.now();
    await page.goto(`${shop.url}/demo/shop`);
    await page.getByTestId('remaining-amount').waitFor();
    expect(await text('total-amount')).toBe('€142.99');
    const credential = (await page.locator('#checkout').getAttribute('data-session'))!;
    expect(await text('remaining-amount')).toBe('€142.99');
    await screenshot(page, SUITE, 'embedded-01-checkout');

    await applyGiftCard(GIFT_CARD);
    await page.getByTestId('giftcard-applied').waitFor();
    expect(await text('giftcard-applied')).toMatch(/•••• 0100: −€100\.00/);
    expect(await page.getByTestId('giftcard-applied').textContent()).not.toContain(GIFT_CARD);
    expect(await text('remaining-amount')).toBe('€42.99');
    expect(await text('card-pay')).toBe('Pay €42.99 by card');
    await screenshot(page, SUITE, 'embedded-02-giftcard-applied');

    await page.getByTestId('card-pay').click();
    await page.getByTestId('sim-pay').waitFor(); // the partner's page: card data goes there, never to Tender
    expect(await page.locator('#total').textContent()).toContain('42.99');
    expect(new URL(page.url()).pathname).toMatch(/^\/hostedcheckout\//); // Connect's hosted checkout
    await screenshot(page, SUITE, 'embedded-03-partner-page');

    await page.getByTestId('sim-pay').click();
    const result = await shopResult();
    console.log(`demo shop: page load to authorized payment in ${Date.now() - started} ms`);
    expect(result).toEqual({ status: 'AUTHORIZED', text: 'Thank you! Your payment was accepted.' });
    expect(new URL(page.url()).pathname).toBe('/demo/shop/return');
    await screenshot(page, SUITE, 'embedded-04-authorized');

    // The session's checkout, opened again (a reload, a second tab), says it is paid and takes nothing more.
    const again = await context.newPage();
    await again.goto(`${stack.apiUrl}/checkout/v1/pay#${credential}`);
    await again.getByTestId('checkout-status').waitFor();
    expect((await again.getByTestId('checkout-status').textContent())?.trim()).toBe(
      'This order is paid. Thank you!',
    );
    expect(await again.getByTestId('card-pay').count()).toBe(0);
    await again.close();

    const session = await stack.prisma.clientSession.findUniqueOrThrow({
      where: { id: await paymentSession() },
    });
    const payment = await stack.request('GET', `/v2/payments/${session.paymentId}`, {
      token: stack.backOffice,
    });
    expect(payment.body.authorization.status).toBe('AUTHORIZED');
    expect(
      payment.body.authorization.partner_transactions.map((t: any) => [t.method, t.amount, t.status]),
    ).toEqual([
      ['giftcard', 10000, 'AUTHORIZED'],
      ['card', 4299, 'AUTHORIZED'],
    ]);
    expect(await cardBalance(GIFT_CARD)).toBe('0.00');
    expect(cspViolations).toEqual([]);
  });

  /** The client session of the payment the return page shows (from its redirection token). */
  async function paymentSession(): Promise<string> {
    const token = new URL(page.url()).searchParams.get('purse-redirection-data')!;
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
      payment_id: string;
    };
    const payment = await stack.prisma.payment.findUniqueOrThrow({ where: { id: claims.payment_id } });
    return payment.clientSessionId!;
  }

  it('says an inactive gift card is not active and charges nothing, keyboard only (360 px)', async () => {
    await open(360);
    await page.goto(`${shop.url}/demo/shop`);
    await page.getByTestId('giftcard-number').waitFor();
    const focused = () =>
      page.evaluate<string | null>("document.activeElement?.getAttribute('data-testid') ?? null");
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('giftcard-number');
    await page.keyboard.type(INACTIVE_CARD);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('giftcard-pin');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('giftcard-apply');
    await page.keyboard.press('Enter');

    await page.getByTestId('giftcard-error').waitFor();
    expect(await text('giftcard-error')).toBe('This gift card is not active.');
    expect(await page.getByTestId('giftcard-error').locator('xpath=..').getAttribute('role')).toBe('alert');
    expect(await page.getByTestId('giftcard-applied').count()).toBe(0);
    expect(await text('remaining-amount')).toBe('€142.99');
    // Labelled inputs, and nothing wider than the 360 px screen.
    expect(await page.getByLabel('Gift card number').getAttribute('data-testid')).toBe('giftcard-number');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await screenshot(page, SUITE, 'embedded-05-inactive-giftcard-360');

    const session = await stack.prisma.clientSession.findUniqueOrThrow({
      where: { id: await sessionIdOnPage() },
    });
    expect(session).toMatchObject({ status: 'CREATED', paymentId: null });
    expect((await stack.sim('paytronix', `/_sim/paytronix/cards/${INACTIVE_CARD}`)).transactions).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  it('leaves the gift card whole when the card is cancelled on the partner’s page', async () => {
    await open(1280);
    await page.goto(`${shop.url}/demo/shop`);
    await applyGiftCard(GIFT_CARD);
    await page.getByTestId('giftcard-applied').waitFor();

    // Removed, the whole amount is left to pay again; applied once more for the rest of the flow.
    await page.getByRole('button', { name: 'Remove gift card ending 0100' }).click();
    await page.getByTestId('giftcard-applied').waitFor({ state: 'detached' });
    expect(await text('remaining-amount')).toBe('€142.99');
    await applyGiftCard(GIFT_CARD);
    await page.getByTestId('giftcard-applied').waitFor();
    expect(await text('remaining-amount')).toBe('€42.99');
    await page.getByTestId('card-pay').click();
    await page.getByTestId('sim-cancel').waitFor();
    await page.getByTestId('sim-cancel').click();

    const result = await shopResult();
    expect(result.text).toBe('Your payment did not go through. Nothing was charged.');
    await screenshot(page, SUITE, 'embedded-06-card-cancelled');
    const session = await stack.prisma.clientSession.findUniqueOrThrow({
      where: { id: await paymentSession() },
    });
    const payment = await eventually(async () => {
      const current = (
        await stack.request('GET', `/v2/payments/${session.paymentId}`, { token: stack.backOffice })
      ).body;
      return current.authorization.status === 'PENDING' ? undefined : current;
    });
    expect(['REFUSED', 'CANCELLED']).toContain(payment.authorization.status);
    expect(payment.amounts.total_authorized).toBe(0);
    expect(await cardBalance(GIFT_CARD)).toBe('100.00');
    expect((await stack.sim('paytronix', `/_sim/paytronix/cards/${GIFT_CARD}`)).transactions).toEqual([]);
  });

  it('tells the shopper when the checkout expired before paying, and charges nothing', async () => {
    await open(1280);
    await page.goto(`${shop.url}/demo/shop`);
    await applyGiftCard(GIFT_CARD);
    await page.getByTestId('giftcard-applied').waitFor();
    const sessionId = await sessionIdOnPage();
    await stack.prisma.clientSession.update({
      where: { id: sessionId },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await page.getByTestId('card-pay').click();
    await page.getByTestId('payment-error').waitFor();
    expect(await text('payment-error')).toBe(
      'This checkout has expired. Go back to the shop to start again.',
    );
    await screenshot(page, SUITE, 'embedded-07-expired');
    expect(
      (await stack.prisma.clientSession.findUniqueOrThrow({ where: { id: sessionId } })).paymentId,
    ).toBeNull();
    expect(await cardBalance(GIFT_CARD)).toBe('100.00');
  });

  it('pays on Tender’s hosted page (HOSTED_PAGE session, 360 px): gift card plus card on Paytronix’s page', async () => {
    await open(360);
    // Without Connect's card, the session's hosted card is Paytronix's.
    await stack.prisma.partnerAccount.update({
      where: { entityId_partner: { entityId: stack.entityId, partner: 'connect' } },
      data: { methods: [] },
    });
    const response = await page.goto(`${shop.url}/demo/shop?mode=hosted`);
    expect(new URL(page.url()).origin).toBe(stack.apiUrl); // the shop sent the shopper to links.checkout.href
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self';");
    await page.getByTestId('remaining-amount').waitFor();
    expect(new URL(page.url()).hash).toBe(''); // the credential left the address bar
    expect(await page.getByRole('heading').textContent()).toMatch(/^Pay test-/);
    expect(await text('remaining-amount')).toBe('€142.99');
    await screenshot(page, SUITE, 'hosted-01-page');

    await applyGiftCard(GIFT_CARD);
    await page.getByTestId('giftcard-applied').waitFor();
    expect(await text('remaining-amount')).toBe('€42.99');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await screenshot(page, SUITE, 'hosted-02-giftcard-applied');

    await page.getByTestId('card-pay').click();
    await page.getByTestId('sim-pay').waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/checkout\//); // Paytronix's hosted checkout
    await screenshot(page, SUITE, 'hosted-03-partner-page');
    await page.getByTestId('sim-pay').click();
    expect(await shopResult()).toEqual({
      status: 'AUTHORIZED',
      text: 'Thank you! Your payment was accepted.',
    });
    await screenshot(page, SUITE, 'hosted-04-authorized');

    const session = await stack.prisma.clientSession.findUniqueOrThrow({
      where: { id: await paymentSession() },
    });
    expect(session.integrationMode).toBe('HOSTED_PAGE');
    const payment = await stack.request('GET', `/v2/payments/${session.paymentId}`, {
      token: stack.backOffice,
    });
    expect(
      payment.body.authorization.partner_transactions.map((t: any) => [t.method, t.amount, t.status]),
    ).toEqual([
      ['giftcard', 10000, 'AUTHORIZED'],
      ['card', 4299, 'AUTHORIZED'],
    ]);
    expect(cspViolations).toEqual([]);
  });

  it('formats amounts with the decimals of the session’s currency', async () => {
    await open(1280);
    for (const [query, shown] of [
      ['amount=5000&currency=JPY', '¥5,000'],
      ['amount=1500&currency=KWD', 'KWD 1.500'],
      ['amount=7&currency=EUR', '€0.07'],
    ]) {
      await page.goto(`${shop.url}/demo/shop?${query}`);
      await page.getByTestId('total-amount').waitFor();
      expect((await text('total-amount')).replace(/\s/g, ' ')).toBe(shown);
    }
  });

  it('serves a drop-in under 50 KB gzipped, with a long cache for its versioned URL', async () => {
    const response = await fetch(`${stack.apiUrl}/checkout/v1/tender.js`);
    const body = Buffer.from(await response.arrayBuffer());
    const gzipped = gzipSync(body, { level: 9 }).length;
    console.log(`drop-in: ${body.length} bytes, ${gzipped} bytes gzipped`);
    expect(gzipped).toBeLessThan(50 * 1024);
    expect(response.headers.get('x-integrity')).toMatch(/^sha384-/);
    expect(response.headers.get('cache-control')).toMatch(/max-age=3600/);
    const page = await fetch(`${stack.apiUrl}/checkout/v1/pay`);
    const html = await page.text();
    const versioned = /src="(\/checkout\/v1\/tender\.js\?v=[0-9a-f]+)" integrity="(sha384-[^"]+)"/.exec(html);
    expect(versioned).not.toBeNull();
    expect(versioned![2]).toBe(response.headers.get('x-integrity'));
    const immutable = await fetch(`${stack.apiUrl}${versioned![1]}`);
    expect(immutable.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]/); // no inline script
  });
});
