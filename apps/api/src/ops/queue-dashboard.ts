import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { TenderConfig } from '@tender/config';
import type { QueueDirectory } from './queues';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * The BullMQ dashboard (bull-board) at /admin/queues, behind HTTP Basic (ADMIN_USERNAME /
 * ADMIN_PASSWORD). Not served at all without ADMIN_PASSWORD. Read-only unless
 * ADMIN_QUEUES_READ_ONLY=false: removing a delayed reconciliation job would leave an unknown
 * outcome unchecked.
 */
export async function installQueueDashboard(
  express: Express,
  queues: QueueDirectory,
  config: TenderConfig,
): Promise<boolean> {
  const password = config.ADMIN_PASSWORD;
  if (!password) return false;
  const serverAdapter = new ExpressAdapter().setBasePath(QUEUE_DASHBOARD_PATH);
  const adapt = (list: Awaited<ReturnType<QueueDirectory['queues']>>) =>
    list.map((queue) => new BullMQAdapter(queue, { readOnlyMode: config.ADMIN_QUEUES_READ_ONLY }));
  let list = await queues.queues();
  const board = createBullBoard({ queues: adapt(list), serverAdapter });
  const names = (queues: typeof list) => queues.map((q) => q.name).join();
  express.use(
    QUEUE_DASHBOARD_PATH,
    basicAuth(config.ADMIN_USERNAME, password),
    async (_req: Request, _res: Response, next: NextFunction) => {
      try {
        // Queues that appeared since (found in Redis) join the board.
        const now = await queues.queues();
        if (names(now) !== names(list)) board.replaceQueues(adapt((list = now)));
        next();
      } catch (error) {
        next(error);
      }
    },
    serverAdapter.getRouter() as RequestHandler,
  );
  return true;
}

function basicAuth(username: string, password: string) {
  const digest = (v: string) => createHash('sha256').update(v).digest();
  const expected = digest(`${username}:${password}`);
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
    const given = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    if (match && timingSafeEqual(digest(given), expected)) return next();
    res
      .status(401)
      .setHeader('WWW-Authenticate', 'Basic realm="tender-admin", charset="UTF-8"')
      .type('text/plain')
      .send('Unauthorized');
  };
}
