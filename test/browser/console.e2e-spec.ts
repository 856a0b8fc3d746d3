import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { MAX_COMPENSATION_ATTEMPTS } from '@tender/domain';
import { newOperator } from '../support/console';
import { giftCardAndCard } from '../support/payloads';
import { eventually, TestStack } from '../support/stack';

/**
 * The operator console in Chromium against the real stack (API, worker, simulators): sign in, find
 * a payment, read its timeline, capture and refund from the page, a viewer cannot act, and a
 * given-up outcome resolved from Needs attention. Screenshots go to test-results/screenshots/console/.
 */
const SUITE = 'console';
const BOUND_MS = 30_000;

describe('operator console (browser)', () => {
  let stack: TestStack;
  let browser: Browser;
  let operatorAccount: { email: string; password: string; id: string };
  let viewerAccount: { email: string; password: string; id: string };
  const orderReference = `ord-browser-${randomBytes(4).toString('hex')}`;
  let paymentId = '';
  let lostPaymentId = '';
  let lostTenderId = '';
  let stuckPaymentId = '';
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  async function createPayment(amount: number, reference: string): Promise<string> {
    const created = await stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: {
        amount,
        currency: 'EUR',
        capture_mode: 'MANUAL',
        order: { reference, net_amount: amount },
        split: [{ partner: 'connect', method: 'card', amount, payment_method: { token: 'connect-approve' } }],
      },
    });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${created.text}`);
    return created.body.id;
  }

  async function openSignedIn(account: {
    email: string;
    password: string;
  }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 40[13]/.test(message.text()))
        pageErrors.push(message.text());
    });
    await page.goto(`${stack.apiUrl}/console`);
    await page.fill('input[name=email]', account.email);
    await page.fill('input[name=password]', account.password);
    await page.click('button[type=submit]');
    await page.getByTestId('signed-in-as').waitFor();
    return { context, page };
  }

  beforeAll(async () => {
    stack = await TestStack.start({
      worker: true,
      env: {
        PARTNER_TIMEOUT_MS: '1000',
        PARTNER_IN_FLIGHT_MARGIN_MS: '200',
        RECONCILE_SCHEDULE_MS: '100,200',
      },
    });
    browser = await launchBrowser();
    operatorAccount = await newOperator(stack, 'operator');
    viewerAccount = await newOperator(stack, 'viewer');
    paymentId = await createPayment(5000, orderReference);
    await stack.waitForTender(paymentId, 'AUTHORIZED');

    // An authorization whose answer is lost, and every lookup after it: the reconciler gives up.
    await stack.sim('connect', '/_sim/faults', 'POST', {
      fault: 'lost-answer',
      path: '/payments$',
      method: 'POST',
      body_includes: '"amount":1888',
      count: 1,
    });
    await stack.sim('connect', '/_sim/faults', 'POST', {
      fault: 'lost-answer',
      path: '/payments$',
      method: 'GET',
      count: 100,
    });
    lostPaymentId = await createPayment(1888, `ord-lost-${randomBytes(4).toString('hex')}`);
    const tender = await eventually(
      async () => {
        const row = await stack.prisma.partnerTransaction.findFirst({ where: { paymentId: lostPaymentId } });
        return (row?.lastError as { gave_up?: boolean } | null)?.gave_up ? row! : undefined;
      },
      BOUND_MS,
      'the reconciler giving up',
    );
    lostTenderId = tender.id;

    // A split refused after its card was held, whose every void Connect refuses: a stuck hold.
    await stack.sim('connect', '/_sim/faults', 'POST', {
      fault: 'partner-refusal',
      path: '/payments/[^/]+/cancel$',
      method: 'POST',
      count: MAX_COMPENSATION_ATTEMPTS,
    });
    const stuck = await stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: giftCardAndCard({ giftCard: '6000000000000000', card: 2345 }),
    });
    stuckPaymentId = stuck.body.id;
    await eventually(
      async () => {
        const voids = await stack.prisma.operationTransaction.count({
          where: { operation: { paymentId: stuckPaymentId, type: 'VOID' }, status: 'FAILED' },
        });
        const payment = await stack.prisma.payment.findUniqueOrThrow({ where: { id: stuckPaymentId } });
        return payment.status === 'REFUSED' && voids === MAX_COMPENSATION_ATTEMPTS ? true : undefined;
      },
      BOUND_MS,
      'a hold Connect refused to release',
    );
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('signs in, with a page that loads under its CSP without errors', async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const response = await page.goto(`${stack.apiUrl}/console`);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('input[name=email]').waitFor();
    await page.fill('input[name=email]', operatorAccount.email);
    await page.fill('input[name=password]', 'wrong password');
    await page.click('button[type=submit]');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Wrong email or password');
    await screenshot(page, SUITE, '01-sign-in');
    await page.fill('input[name=password]', operatorAccount.password);
    await page.click('button[type=submit]');
    await expect(page.getByTestId('signed-in-as').textContent()).resolves.toContain(
      `${operatorAccount.email} (operator)`,
    );
    await page.getByTestId('authorization-rate').first().waitFor();
    await screenshot(page, SUITE, '02-home');
    expect(pageErrors).toEqual([]);
  });

  it('finds the payment by its order reference and opens its timeline', async () => {
    await page.click('a[href="#/payments"]');
    await page.fill('input[name=order_reference]', orderReference);
    await page.click('form.search button');
    await eventually(
      async () => ((await page.getByTestId('payment-row').count()) === 1 ? true : undefined),
      BOUND_MS,
      'one row',
    );
    const row = page.getByTestId('payment-row');
    await expect(row.textContent()).resolves.toContain(orderReference);
    await expect(row.textContent()).resolves.toContain('50.00 EUR');
    await screenshot(page, SUITE, '03-payments');

    await row.locator('a').click();
    const timeline = page.getByTestId('payment-timeline');
    await timeline.waitFor();
    await expect(timeline.locator('[data-kind=authorization]').textContent()).resolves.toMatch(
      /connect card.*AUTHORIZED.*1 call/,
    );
    await expect(page.getByTestId('payment-status').textContent()).resolves.toBe('AUTHORIZED');
    await screenshot(page, SUITE, '04-payment');
  });

  it('filters the payments by status and partner, with the values the API accepts', async () => {
    await page.goto(`${stack.apiUrl}/console#/payments`);
    const status = page.getByTestId('filter-status');
    const partner = page.getByTestId('filter-partner');
    await status.locator('option', { hasText: 'PENDING_FRAUD_APPROVAL' }).waitFor({ state: 'attached' });
    await expect(status.locator('option').allTextContents()).resolves.toEqual(
      expect.arrayContaining(['Any status', 'AUTHORIZED', 'PENDING_FRAUD_APPROVAL', 'REFUSED']),
    );
    await expect(partner.locator('option').allTextContents()).resolves.toEqual([
      'Any partner',
      'connect',
      'purse',
      'paytronix',
    ]);
    const rows = page.getByTestId('payment-row');
    async function search(reference: string, byStatus: string, byPartner: string): Promise<void> {
      await page.fill('input[name=order_reference]', reference);
      await status.selectOption(byStatus);
      await partner.selectOption(byPartner);
      const expected = [
        ...(reference ? [`order_reference=${reference}`] : []),
        ...(byStatus ? [`status=${byStatus}`] : []),
        ...(byPartner ? [`partner=${byPartner}`] : []),
      ];
      const answered = page.waitForResponse(
        (response) =>
          response.url().includes('/console/api/payments?') &&
          expected.every((part) => response.url().includes(part)) &&
          (byStatus !== '' || !response.url().includes('status=')) &&
          (byPartner !== '' || !response.url().includes('partner=')),
      );
      await page.getByTestId('search').click();
      expect((await answered).status()).toBe(200);
    }
    const rowsAre = (count: (n: number) => boolean, label: string) =>
      eventually(async () => (count(await rows.count()) ? true : undefined), BOUND_MS, label);

    await search(orderReference, 'AUTHORIZED', 'connect');
    await rowsAre((n) => n === 1, 'the authorized connect payment');
    await expect(rows.getByTestId('row-status').textContent()).resolves.toBe('AUTHORIZED');
    await expect(rows.getByTestId('row-partners').textContent()).resolves.toBe('connect');
    await screenshot(page, SUITE, '03b-payments-filtered');

    await search(orderReference, 'REFUSED', '');
    await rowsAre((n) => n === 0, 'no refused payment of this reference');
    await search(orderReference, '', 'purse');
    await rowsAre((n) => n === 0, 'no purse payment of this reference');

    await search('', 'AUTHORIZED', '');
    await rowsAre((n) => n >= 1, 'authorized payments');
    for (const text of await rows.getByTestId('row-status').allTextContents())
      expect(text).toBe('AUTHORIZED');
    await search('', '', 'connect');
    await rowsAre((n) => n >= 1, 'connect payments');
    for (const text of await rows.getByTestId('row-partners').allTextContents())
      expect(text.split(', ')).toContain('connect');
    expect(pageErrors).toEqual([]);
  });

  it('partially captures, then refunds, from the page; the amounts and the split bar follow', async () => {
    await page.goto(`${stack.apiUrl}/console#/payments/${paymentId}`);
    await page.getByTestId('action-capture').click();
    await page.fill('form.action-form input[name=amount]', '15.00');
    await page.fill('form.action-form input[name=reason]', 'first parcel shipped');
    await page.click('form.action-form button[type=submit]');
    await screenshot(page, SUITE, '05-capture-confirmation');
    await page.getByTestId('confirm').click();
    await page
      .getByTestId('amount-total_captured')
      .filter({ hasText: '15.00 EUR' })
      .waitFor({ timeout: BOUND_MS });
    await expect(page.getByTestId('tender-captured').textContent()).resolves.toBe('15.00 EUR');

    await page.getByTestId('action-refund').click();
    await page.fill('form.action-form input[name=amount]', '4.00');
    await page.fill('form.action-form input[name=reason]', 'damaged item');
    await page.click('form.action-form button[type=submit]');
    await page.getByTestId('confirm').click();
    await page
      .getByTestId('amount-total_refunded')
      .filter({ hasText: '4.00 EUR' })
      .waitFor({ timeout: BOUND_MS });
    await expect(page.getByTestId('tender-refunded').textContent()).resolves.toBe('4.00 EUR');
    await page
      .getByTestId('payment-timeline')
      .locator('[data-kind=refund]')
      .filter({ hasText: 'SUCCESS' })
      .waitFor({ timeout: BOUND_MS });
    await expect(
      page.getByTestId('payment-timeline').locator('[data-kind=audit]').allTextContents(),
    ).resolves.toEqual([
      expect.stringContaining('payment.capture'),
      expect.stringContaining('payment.refund'),
    ]);
    await screenshot(page, SUITE, '06-captured-and-refunded');

    const audit = await stack.prisma.auditLog.findMany({ where: { paymentId }, orderBy: { at: 'asc' } });
    expect(audit.map((a) => [a.action, a.reason, a.operatorId])).toEqual([
      ['payment.capture', 'first parcel shipped', operatorAccount.id],
      ['payment.refund', 'damaged item', operatorAccount.id],
    ]);
  });

  it('shows a viewer the payment without any action, and the API refuses a viewer action', async () => {
    const viewer = await openSignedIn(viewerAccount);
    try {
      await viewer.page.goto(`${stack.apiUrl}/console#/payments/${paymentId}`);
      await viewer.page.getByTestId('payment-timeline').waitFor();
      expect(await viewer.page.getByTestId('actions').count()).toBe(0);
      await screenshot(viewer.page, SUITE, '07-viewer-payment');
      const status = await viewer.page.evaluate(async (id) => {
        const session = (await (await fetch('/console/api/session')).json()) as { csrf_token: string };
        const response = await fetch(`/console/api/payments/${id}/refund`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf_token },
          body: JSON.stringify({ amount: 100, reason: 'viewer tries' }),
        });
        return response.status;
      }, paymentId);
      expect(status).toBe(403);
      expect(await stack.prisma.auditLog.count({ where: { paymentId, operatorId: viewerAccount.id } })).toBe(
        0,
      );
    } finally {
      await viewer.context.close();
    }
  });

  it('resolves a given-up outcome from Needs attention: the payment moves on and the audit log says who and why', async () => {
    await page.click('a[href="#/attention"]');
    const row = page.locator(`[data-testid=unknown-outcome][data-payment="${lostPaymentId}"]`);
    await row.waitFor();
    await expect(page.getByTestId('needs-attention').isVisible()).resolves.toBe(true);
    const hold = page.locator(`[data-testid=stuck-hold][data-payment="${stuckPaymentId}"]`);
    await expect(hold.textContent()).resolves.toMatch(/connect card 23\.45 EUR held.*HTTP 405.*back office/);
    await expect(hold.locator('a').getAttribute('href')).resolves.toBe(`#/payments/${stuckPaymentId}`);
    await screenshot(page, SUITE, '08-needs-attention');
    await row.locator('input[name=reason]').fill('connect support: never authorized');
    await row.getByRole('button', { name: 'Resolve as failed' }).click();
    await row.getByTestId('confirm').click();
    await row.waitFor({ state: 'detached' });
    await screenshot(page, SUITE, '09-needs-attention-resolved');

    const payment = await stack.prisma.payment.findUniqueOrThrow({ where: { id: lostPaymentId } });
    expect(payment.status).toBe('REFUSED');
    const audit = await stack.prisma.auditLog.findMany({ where: { paymentId: lostPaymentId } });
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'unknown.resolve',
        actor: operatorAccount.email,
        operatorId: operatorAccount.id,
        targetId: lostTenderId,
        reason: 'connect support: never authorized',
      }),
    ]);
    await page.goto(`${stack.apiUrl}/console#/payments/${lostPaymentId}`);
    await page
      .getByTestId('payment-timeline')
      .locator('[data-kind=audit]')
      .filter({ hasText: 'unknown.resolve' })
      .waitFor();
    await screenshot(page, SUITE, '10-resolved-payment');
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
