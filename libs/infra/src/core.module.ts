import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import Redis from 'ioredis';
import type { TenderConfig } from '@tender/config';
import { createDatabase, createPrismaClient, DataCipher, Database, PrismaClient } from '@tender/persistence';

import { Outbox } from './outbox';
import { PaymentNotifications } from './payment-notifications';
import { CONFIG, REDIS } from './tokens';

export { CONFIG, REDIS };

/**
 * Closes the shared connections when the application shuts down: last, after every module's
 * onModuleDestroy (the outbox flushes its deletes there).
 */
@Injectable()
class ConnectionCloser implements OnApplicationShutdown {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly db: Database,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    // Prisma shares the Database's pool: it lets go of it first, then the pool ends.
    await Promise.allSettled([this.prisma.$disconnect().then(() => this.db.end()), this.redis.quit()]);
  }
}

/**
 * Configuration, the shared Postgres / Redis clients, the outbox and payment signals, available to
 * every module.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: TenderConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: CONFIG, useValue: config },
        // One pool per process (DATABASE_POOL_SIZE): the Database's, which Prisma's adapter shares.
        {
          provide: Database,
          useFactory: () => createDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
        },
        {
          provide: PrismaClient,
          useFactory: (db: Database) => createPrismaClient(db.pool),
          inject: [Database],
        },
        {
          provide: REDIS,
          useFactory: () => new Redis(config.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 }),
        },
        { provide: DataCipher, useFactory: () => new DataCipher(config.DATA_ENCRYPTION_KEYS) },
        ConnectionCloser,
        Outbox,
        PaymentNotifications,
      ],
      exports: [CONFIG, PrismaClient, Database, REDIS, DataCipher, Outbox, PaymentNotifications],
    };
  }
}
