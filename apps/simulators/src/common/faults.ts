import { Router, type NextFunction, type Request, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { RawRequest } from './sim-app';

/**
 * Faults armed on a simulator for the chaos suite, the failures real partners have:
 *
 * - `late-answer`: the call is processed (booked) at once, its answer held for `delayMs`, long after
 *   the client gave up;
 * - `lost-answer`: booked, then the connection is dropped without an answer;
 * - `error-after-booking`: booked, then answered HTTP 502 (a gateway failing after the partner acted);
 * - `slow-commit`: processing starts only after `delayMs` (until then a lookup sees nothing), then
 *   answered normally (the client has usually given up by then);
 * - `partner-refusal`: nothing is processed, the call is answered with the partner's own refusal
 *   (a cancel of a hold it will not release), where its simulator models one (Connect: HTTP 405).
 *
 * A rule applies to the next `count` partner calls whose path matches `path` (a regular expression),
 * whose method is `method` and whose raw body contains `body_includes`, when given. Arm with
 * `POST /_sim/faults` `{ path, method?, body_includes?, fault, delay_ms?, count? }`, list with `GET /_sim/faults`, clear with
 * `DELETE /_sim/faults`. None is armed by default.
 */
export type FaultKind =
  'late-answer' | 'lost-answer' | 'error-after-booking' | 'slow-commit' | 'partner-refusal';
const FAULT_KINDS: FaultKind[] = [
  'late-answer',
  'lost-answer',
  'error-after-booking',
  'slow-commit',
  'partner-refusal',
];

export interface FaultRule {
  id: string;
  path: string;
  method?: string;
  bodyIncludes?: string;
  fault: FaultKind;
  delayMs: number;
  remaining: number;
  /** Calls this rule has hit so far. */
  hits: number;
}

export class FaultPlan {
  private rules: FaultRule[] = [];

  arm(rule: Omit<FaultRule, 'id' | 'hits'>): FaultRule {
    const armed = { ...rule, id: randomUUID(), hits: 0 };
    this.rules.push(armed);
    return armed;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  /** The rule this call suffers, if any (counted once). */
  take(method: string, path: string, rawBody: string): FaultRule | undefined {
    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        new RegExp(r.path).test(path) &&
        (r.method === undefined || r.method.toUpperCase() === method) &&
        (r.bodyIncludes === undefined || rawBody.includes(r.bodyIncludes)),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    rule.hits += 1;
    return rule;
  }
}

/** A partner's refusal of an operation, in its own wire format (each simulator that supports it). */
export type PartnerRefusal = () => { status: number; body: unknown };

/** Applies armed faults to partner calls (everything not under /_sim). */
export function faultMiddleware(plan: FaultPlan, refusal?: PartnerRefusal) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.path.startsWith('/_sim')) return next();
    const rule = plan.take(req.method, req.path, (req as RawRequest).rawBody?.toString('utf8') ?? '');
    if (!rule) return next();
    if (rule.fault === 'partner-refusal' && refusal) {
      const { status, body } = refusal();
      res.status(status).json(body);
      return;
    }
    if (rule.fault === 'slow-commit') {
      await new Promise((resolve) => setTimeout(resolve, rule.delayMs));
      return next();
    }
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      if (rule.fault === 'lost-answer') {
        req.socket.destroy();
      } else if (rule.fault === 'late-answer') {
        setTimeout(() => end(...args), rule.delayMs).unref();
      } else {
        res.statusCode = 502;
        res.removeHeader('Content-Length');
        res.setHeader('Content-Type', 'text/html');
        end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      }
      return res;
    }) as Response['end'];
    next();
  };
}

export function faultRouter(plan: FaultPlan, refusalSupported = false): Router {
  const router = Router();
  router.post('/_sim/faults', (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const problems: string[] = [];
    if (typeof body.path !== 'string' || !body.path) problems.push('path: a regular expression is required');
    else {
      try {
        new RegExp(body.path);
      } catch {
        problems.push('path: not a valid regular expression');
      }
    }
    if (!FAULT_KINDS.includes(body.fault as FaultKind))
      problems.push(`fault: one of ${FAULT_KINDS.join(', ')}`);
    if (body.fault === 'partner-refusal' && !refusalSupported)
      problems.push('fault: partner-refusal is not modelled by this simulator');
    if (body.body_includes !== undefined && typeof body.body_includes !== 'string')
      problems.push('body_includes: a string');
    if (body.method !== undefined && typeof body.method !== 'string') problems.push('method: a string');
    const delayMs = body.delay_ms ?? 0;
    const count = body.count ?? 1;
    if (!Number.isInteger(delayMs) || (delayMs as number) < 0) problems.push('delay_ms: an integer ≥ 0');
    if (!Number.isInteger(count) || (count as number) < 1) problems.push('count: an integer ≥ 1');
    if (problems.length) {
      res.status(400).json({ errors: problems });
      return;
    }
    const rule = plan.arm({
      path: body.path as string,
      method: body.method as string | undefined,
      bodyIncludes: body.body_includes as string | undefined,
      fault: body.fault as FaultKind,
      delayMs: delayMs as number,
      remaining: count as number,
    });
    res.status(201).json(rule);
  });
  router.get('/_sim/faults', (_req: Request, res: Response) => {
    res.json({ faults: plan.list() });
  });
  router.delete('/_sim/faults', (_req: Request, res: Response) => {
    plan.clear();
    res.status(204).end();
  });
  return router;
}
