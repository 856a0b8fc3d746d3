import { combine, valuesList } from './sql';

describe('combine', () => {
  it('renumbers parameters and turns all but the last statement into CTEs', () => {
    const combined = combine([
      { sql: 'UPDATE a SET x = $1 WHERE id = $2', values: [1, 'a'] },
      { sql: 'DELETE FROM b WHERE id = $1', values: ['b'] },
      { sql: 'INSERT INTO c (v) VALUES ($1), ($2) RETURNING id', values: [3, 4] },
    ]);
    expect(combined).toEqual({
      sql:
        'WITH w0 AS (UPDATE a SET x = $1 WHERE id = $2), w1 AS (DELETE FROM b WHERE id = $3) ' +
        'INSERT INTO c (v) VALUES ($4), ($5) RETURNING id',
      values: [1, 'a', 'b', 3, 4],
    });
  });

  it('leaves a single statement as it is, and refuses none', () => {
    expect(combine([{ sql: 'SELECT $1', values: [1] }])).toEqual({ sql: 'SELECT $1', values: [1] });
    expect(() => combine([])).toThrow(RangeError);
  });
});

describe('valuesList', () => {
  it('numbers rows from the offset with one cast per column', () => {
    expect(
      valuesList(
        ['uuid', 'int'],
        [
          ['a', 1],
          ['b', 2],
        ],
        3,
      ),
    ).toEqual({
      sql: '($4::uuid, $5::int), ($6::uuid, $7::int)',
      values: ['a', 1, 'b', 2],
      next: 8,
    });
  });
});
