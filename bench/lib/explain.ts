/**
 * EXPLAIN ANALYZE of the hottest statements, replayed after the load against the benchmark's
 * database (full of payments by then) with the parameters the preload saw first — each inside a
 * transaction that is rolled back, so writes change nothing.
 */
import type { Client } from 'pg';

export interface HotStatement {
  process: string;
  per_payment: number;
  sql: string;
  sample: Array<string | null>;
}

export interface ExplainResult {
  process: string;
  per_payment: number;
  sql: string;
  execution_ms: number | null;
  planning_ms: number | null;
  nodes: string[];
  indexes: string[];
  seq_scans: string[];
  shared_hit_blocks: number | null;
  shared_read_blocks: number | null;
  error?: string;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

function walk(node: PlanNode, visit: (n: PlanNode) => void): void {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

const SKIP = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET|SHOW|DEALLOCATE)\b/i;

export async function explainHot(
  db: Client,
  statements: HotStatement[],
  limit = 20,
): Promise<ExplainResult[]> {
  const out: ExplainResult[] = [];
  for (const s of statements.filter((x) => !SKIP.test(x.sql)).slice(0, limit)) {
    const base = {
      process: s.process,
      per_payment: s.per_payment,
      sql: s.sql.replace(/\s+/g, ' ').slice(0, 300),
    };
    if (/^\s*INSERT\b/i.test(s.sql) && !/ON CONFLICT/i.test(s.sql)) {
      // Replaying an insert with its own parameters would only collide with the row it created.
      out.push({
        ...base,
        execution_ms: null,
        planning_ms: null,
        nodes: [],
        indexes: [],
        seq_scans: [],
        shared_hit_blocks: null,
        shared_read_blocks: null,
        error: 'not replayed: an INSERT (its sample row exists)',
      });
      continue;
    }
    try {
      await db.query('BEGIN');
      const res = await db.query<{
        'QUERY PLAN': Array<{ Plan: PlanNode; 'Execution Time': number; 'Planning Time': number }>;
      }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${s.sql}`, s.sample);
      const plan = res.rows[0]['QUERY PLAN'][0];
      const nodes: string[] = [];
      const indexes = new Set<string>();
      const seq: string[] = [];
      walk(plan.Plan, (n) => {
        nodes.push(n['Node Type'] + (n['Relation Name'] ? ` on ${n['Relation Name']}` : ''));
        if (n['Index Name']) indexes.add(n['Index Name']);
        if (n['Node Type'] === 'Seq Scan' && n['Relation Name']) seq.push(n['Relation Name']);
      });
      out.push({
        ...base,
        execution_ms: plan['Execution Time'],
        planning_ms: plan['Planning Time'],
        nodes,
        indexes: [...indexes],
        seq_scans: seq,
        shared_hit_blocks: plan.Plan['Shared Hit Blocks'] ?? null,
        shared_read_blocks: plan.Plan['Shared Read Blocks'] ?? null,
      });
    } catch (error) {
      out.push({
        ...base,
        execution_ms: null,
        planning_ms: null,
        nodes: [],
        indexes: [],
        seq_scans: [],
        shared_hit_blocks: null,
        shared_read_blocks: null,
        error: (error as Error).message,
      });
    } finally {
      await db.query('ROLLBACK').catch(() => undefined);
    }
  }
  return out;
}
