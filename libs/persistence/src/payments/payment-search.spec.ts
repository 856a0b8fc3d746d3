import { decodeCursor, encodeCursor, InvalidCursorError } from './payment-search';

describe('payment search cursor', () => {
  const position = {
    createdAt: new Date('2026-12-05T00:01:02.345Z'),
    id: '0193a0b2-7c1d-7e3f-8a4b-5c6d7e8f9a0b',
  };

  it('round-trips a position through an opaque base64url text', () => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain(position.id);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'abc+/='],
    ['another version', Buffer.from(`p2|1|${position.id}`).toString('base64url')],
    ['not a uuid', Buffer.from('p1|1|not-a-uuid').toString('base64url')],
    ['upper-case uuid', Buffer.from(`p1|1|${position.id.toUpperCase()}`).toString('base64url')],
    ['a date that is no number', Buffer.from(`p1|1e3|${position.id}`).toString('base64url')],
    ['a missing part', Buffer.from(`p1|${position.id}`).toString('base64url')],
    ['an extra part', Buffer.from(`p1|1|${position.id}|x`).toString('base64url')],
    ['a truncated cursor', encodeCursor(position).slice(0, -3)],
    ['a character changed', `${encodeCursor(position).slice(0, -1)}A`],
    ['too long', 'A'.repeat(500)],
  ])('refuses %s', (_, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(InvalidCursorError);
  });
});
