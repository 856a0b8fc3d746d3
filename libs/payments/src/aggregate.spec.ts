import * as fs from 'node:fs';
import * as path from 'node:path';
import { AGGREGATE_CONVERSIONS } from './aggregate';

/**
 * findPaymentAggregate reads the payment, its tenders, operations and legs in one query as JSON and
 * names each field after its column in camelCase. That holds as long as every column of these
 * models is its field name in snake_case: this keeps it so.
 */
describe('payment aggregate tables', () => {
  const schema = fs.readFileSync(path.resolve(__dirname, '../../../prisma/schema.prisma'), 'utf8');
  const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

  const TABLES = {
    Payment: 'payment',
    PartnerTransaction: 'partner_transaction',
    Operation: 'operation',
    OperationTransaction: 'operation_transaction',
  } as const;
  const columnsOf = (model: string, type: string) =>
    new RegExp(`model ${model} \\{([\\s\\S]*?)\\n\\}`)
      .exec(schema)![1]
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => new RegExp(`^[a-z]\\w*\\s+${type}\\??\\s`).test(line + ' '))
      .map((line) => /@map\("([^"]+)"\)/.exec(line)?.[1] ?? line.split(/\s+/)[0])
      .sort();

  for (const [model, table] of Object.entries(TABLES)) {
    it(`${model}: its BIGINT and timestamp columns are the ones the aggregate converts`, () => {
      expect([...AGGREGATE_CONVERSIONS[table].bigint].sort()).toEqual(columnsOf(model, 'BigInt'));
      expect([...AGGREGATE_CONVERSIONS[table].date].sort()).toEqual(columnsOf(model, 'DateTime'));
    });
  }

  for (const model of ['Payment', 'PartnerTransaction', 'Operation', 'OperationTransaction']) {
    it(`${model}: every column is its field in snake_case`, () => {
      const body = new RegExp(`model ${model} \\{([\\s\\S]*?)\\n\\}`).exec(schema)?.[1];
      expect(body).toBeDefined();
      const scalars = body!
        .split('\n')
        .map((line) => line.trim())
        .filter((line) =>
          /^[a-z]\w*\s+(String|Int|BigInt|Boolean|DateTime|Json|Decimal|Float|Bytes)\??(\[\])?\b/.test(line),
        );
      expect(scalars.length).toBeGreaterThan(5);
      for (const line of scalars) {
        const field = line.split(/\s+/)[0];
        const column = /@map\("([^"]+)"\)/.exec(line)?.[1] ?? field;
        expect(`${field} → ${column}`).toBe(`${field} → ${snake(field)}`);
      }
    });
  }
});
