import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  legFromRow,
  operationFromRow,
  paymentFromRow,
  TABLE_COLUMNS,
  tenderFromRow,
  type JsonRow,
  type MoneyTable,
} from './records';

/**
 * The aggregate read builds each row as JSON from TABLE_COLUMNS and the mappers turn it into records:
 * every column of these models is read, named as its field in camelCase, BIGINT columns become bigint
 * and timestamps Date (kept true against prisma/schema.prisma); a status outside its union is refused.
 */
describe('money table records', () => {
  const schema = fs.readFileSync(path.resolve(__dirname, '../../../../prisma/schema.prisma'), 'utf8');
  const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const TABLES: Record<string, MoneyTable> = {
    Payment: 'payment',
    PartnerTransaction: 'partner_transaction',
    Operation: 'operation',
    OperationTransaction: 'operation_transaction',
  };
  const MAPPERS: Record<MoneyTable, (row: JsonRow) => object> = {
    payment: paymentFromRow,
    partner_transaction: tenderFromRow,
    operation: operationFromRow,
    operation_transaction: legFromRow,
  };
  const VALID: Record<string, string> = {
    status: 'PENDING',
    capture_mode: 'MANUAL',
    type: 'CAPTURE',
    triggered_by: 'MERCHANT',
  };
  const scalarsOf = (model: string) =>
    new RegExp(`model ${model} \\{([\\s\\S]*?)\\n\\}`)
      .exec(schema)![1]
      .split('\n')
      .map((line) => line.trim())
      .filter((line) =>
        /^[a-z]\w*\s+(String|Int|BigInt|Boolean|DateTime|Json|Decimal|Float|Bytes)\??(\[\])?\s/.test(
          line + ' ',
        ),
      )
      .map((line) => ({
        field: line.split(/\s+/)[0],
        type: line.split(/\s+/)[1].replace('?', ''),
        column: /@map\("([^"]+)"\)/.exec(line)?.[1] ?? line.split(/\s+/)[0],
      }));
  /** A row as the aggregate read returns it: BIGINT as text, timestamps as ISO text. */
  const sampleRow = (model: string): JsonRow =>
    Object.fromEntries(
      scalarsOf(model).map(({ type, column }) => [
        column,
        VALID[column] ??
          {
            String: 'x',
            Int: 1,
            BigInt: '9007199254740993',
            Boolean: true,
            DateTime: '2026-01-01T00:00:00.123+00:00',
            Json: { a: 1 },
          }[type] ??
          null,
      ]),
    );

  for (const [model, table] of Object.entries(TABLES)) {
    it(`${model}: every column is its field in snake_case`, () => {
      const scalars = scalarsOf(model);
      expect(scalars.length).toBeGreaterThan(5);
      for (const { field, column } of scalars)
        expect(`${field} → ${column}`).toBe(`${field} → ${snake(field)}`);
    });

    it(`${model}: the read takes every column, and the mapper gives each its field and type`, () => {
      const scalars = scalarsOf(model);
      expect([...TABLE_COLUMNS[table]].sort()).toEqual(scalars.map((s) => s.column).sort());
      const record = MAPPERS[table](sampleRow(model)) as Record<string, unknown>;
      expect(Object.keys(record).sort()).toEqual(scalars.map((s) => s.field).sort());
      for (const { field, type } of scalars) {
        if (type === 'BigInt') expect(record[field]).toBe(9007199254740993n);
        if (type === 'DateTime') expect(record[field]).toEqual(new Date('2026-01-01T00:00:00.123Z'));
      }
    });

    for (const column of Object.keys(VALID).filter((c) => TABLE_COLUMNS[table].includes(c))) {
      it(`${model}: refuses an unknown ${column}`, () => {
        const row = { ...sampleRow(model), [column]: 'BOGUS' };
        expect(() => MAPPERS[table](row)).toThrow(`${table}.${column}: unexpected value "BOGUS"`);
        expect(() => MAPPERS[table]({ ...row, [column]: null })).toThrow(TypeError);
      });
    }
  }
});
