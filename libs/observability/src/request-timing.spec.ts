import { RequestTiming } from './request-timing';

describe('RequestTiming', () => {
  it('counts overlapping partner calls once, clipped to the request', () => {
    const timing = new RequestTiming();
    const t0 = timing.startedAt;
    timing.add({
      partner: [
        [t0 + 10, t0 + 50],
        [t0 + 30, t0 + 70],
        [t0 + 100, t0 + 110],
        [t0 - 100, t0 + 5],
      ],
    });
    expect(timing.partnerMs(t0 + 200)).toBe(5 + 60 + 10);
  });

  it('reports total, partner and Tender time in a Server-Timing header', () => {
    const timing = new RequestTiming();
    const t0 = timing.startedAt;
    timing.add({ partner: [[t0 + 20, t0 + 60]], queueMs: 3 });
    expect(timing.header(t0 + 100)).toBe(
      'total;dur=100, partner;dur=40;desc="waiting on partners", queue;dur=3;desc="jobs waiting in queues", tender;dur=60;desc="Tender\'s own time"',
    );
  });
});
