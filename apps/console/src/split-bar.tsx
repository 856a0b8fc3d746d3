import { money } from './format';

export interface TenderSplit {
  id: string;
  partner: string;
  method: string;
  amount: number;
  status: string;
  authorized: number;
  captured: number;
  voided: number;
  refunded: number;
}

/**
 * One bar per tender, its width the tender's amount: captured (the refunded part of it hatched
 * over), voided, the rest still authorized, and what was never authorized. SVG: no inline styles.
 */
export function SplitBars({ tenders, currency }: { tenders: TenderSplit[]; currency: string }) {
  return (
    <div class="split" data-testid="split-bars">
      {tenders.map((t) => {
        const scale = (v: number) => (t.amount === 0 ? 0 : (v / t.amount) * 100);
        const open = Math.max(0, t.authorized - t.captured - t.voided);
        const parts: Array<[string, number]> = [
          ['captured', t.captured],
          ['voided', t.voided],
          ['authorized', open],
          ['unauthorized', Math.max(0, t.amount - t.authorized)],
        ];
        let x = 0;
        return (
          <figure key={t.id} data-testid="split-bar" data-tender={t.id}>
            <figcaption>
              {t.partner} {t.method} · {money(t.amount, currency)} · {t.status}
            </figcaption>
            <svg
              viewBox="0 0 100 6"
              preserveAspectRatio="none"
              role="img"
              aria-label={`split of ${t.partner}`}
            >
              {parts.map(([kind, value]) => {
                const rect = (
                  <rect key={kind} class={`part-${kind}`} x={x} y={0} width={scale(value)} height={6} />
                );
                x += scale(value);
                return rect;
              })}
              <rect class="part-refunded" x={0} y={4} width={scale(t.refunded)} height={2} />
            </svg>
            <dl class="figures">
              <dt>authorized</dt>
              <dd data-testid="tender-authorized">{money(t.authorized, currency)}</dd>
              <dt>captured</dt>
              <dd data-testid="tender-captured">{money(t.captured, currency)}</dd>
              <dt>voided</dt>
              <dd data-testid="tender-voided">{money(t.voided, currency)}</dd>
              <dt>refunded</dt>
              <dd data-testid="tender-refunded">{money(t.refunded, currency)}</dd>
            </dl>
          </figure>
        );
      })}
    </div>
  );
}
