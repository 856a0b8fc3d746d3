import type { Sql } from './sql';

/** The methods each partner account of the entity offers (partner → methods), through `pg` (payment creation's path). */
export async function listPartnerMethods(
  db: Sql,
  entityId: string,
): Promise<Array<{ partner: string; methods: string[] }>> {
  return db.query<{ partner: string; methods: string[] }>(
    'SELECT partner, methods FROM partner_account WHERE entity_id = $1::uuid',
    [entityId],
  );
}
