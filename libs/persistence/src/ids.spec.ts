import { isUuid, newId } from './ids';

describe('newId', () => {
  it('is a version 7 UUID', () => {
    const id = newId();
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
  });

  it('sorts by creation time', () => {
    const earlier = newId(1_700_000_000_000);
    const later = newId(1_700_000_000_001);
    expect(earlier < later).toBe(true);
  });

  it('is unique', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId(1)));
    expect(ids.size).toBe(1000);
  });
});
