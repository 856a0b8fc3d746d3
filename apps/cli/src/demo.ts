import { openCredentials, type DataCipher, type PrismaClient } from '@tender/persistence';
import { ProvisioningError } from './errors';
import {
  createEntity,
  findEntityByName,
  getWebhookSecret,
  listPartnerAccounts,
  rotateWebhookSecret,
  setPartnerAccount,
  type PartnerAccountView,
} from './provisioning';

export const DEMO_ENTITY_NAME = 'demo';

export interface DemoPartnerAccount {
  partner: string;
  methods: string[];
  /** Environment variable overriding `credentials.endpoint` (the simulator's base URL). */
  endpointEnv: string;
  credentials: { endpoint: string } & Record<string, unknown>;
  config: Record<string, unknown>;
}

/**
 * The demo entity's partner accounts, pointing at the local simulators (`npm run start:simulators`)
 * with every method eligible. The single place to change when the simulators' defaults change.
 */
export const DEMO_PARTNER_ACCOUNTS: readonly DemoPartnerAccount[] = [
  {
    partner: 'connect',
    methods: ['card'],
    endpointEnv: 'CONNECT_SIM_URL',
    credentials: {
      endpoint: 'http://127.0.0.1:4101',
      merchantId: '1000',
      apiKeyId: 'tender-sim-key',
      secretApiKey: 'tender-sim-secret',
      webhookKeyId: 'tender-sim-webhook-key',
      webhookSecret: 'tender-sim-webhook-secret',
    },
    // The simulator's partialRedirectUrl is host:port/…: its hosted checkout is plain http.
    config: { hostedCheckoutUrlPrefix: 'http://' },
  },
  {
    partner: 'purse',
    methods: ['card'],
    endpointEnv: 'PURSE_SIM_URL',
    credentials: {
      endpoint: 'http://127.0.0.1:4102',
      clientId: 'tender-sim-purse',
      clientSecret: 'tender-sim-purse-secret',
      // The Purse entity the simulator's OAuth client acts for (PURSE_SIM_ENTITY_ID).
      entityId: '5e3a0862-7cc3-4427-92ba-9e1e9595f571',
      webhookSecret: 'tender-sim-purse-webhook-secret',
    },
    config: {},
  },
  {
    partner: 'paytronix',
    methods: ['giftcard', 'card'],
    endpointEnv: 'PAYTRONIX_SIM_URL',
    credentials: {
      endpoint: 'http://127.0.0.1:4103',
      merchantId: 1,
      integration: { username: 'tender-sim', password: 'tender-sim-secret' },
      b2b: { username: 'tender', password: 'tender-b2b' },
      ccProcessorId: 1,
      storeCode: 'WEB',
    },
    config: {},
  },
];

export interface DemoSeedResult {
  entity_id: string;
  name: string;
  webhook_secret: string;
  partner_accounts: PartnerAccountView[];
  /** Whether this run created the demo entity (false when it already existed). */
  created: boolean;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => sameJson(item, b[i]))
    );
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keysA = Object.keys(a);
    const keysB = Object.keys(b);
    return (
      keysA.length === keysB.length &&
      keysA.every((key) => sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
    );
  }
  return a === b;
}

/**
 * Creates (idempotently) the `demo` entity and its partner accounts at the simulators. Running it
 * again creates nothing: existing accounts are only rewritten when they differ from the demo
 * settings (e.g. another simulator URL in the environment).
 */
export async function seedDemo(
  prisma: PrismaClient,
  cipher: DataCipher,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DemoSeedResult> {
  let created = false;
  let entityId = (await findEntityByName(prisma, DEMO_ENTITY_NAME))?.entity_id;
  if (!entityId) {
    try {
      entityId = (await createEntity(prisma, cipher, DEMO_ENTITY_NAME)).entity_id;
      created = true;
    } catch (error) {
      // Another seed won the race.
      if (!(error instanceof ProvisioningError && error.code === 'conflict')) throw error;
      entityId = (await findEntityByName(prisma, DEMO_ENTITY_NAME))!.entity_id;
    }
  }

  const existing = await prisma.partnerAccount.findMany({ where: { entityId } });
  for (const account of DEMO_PARTNER_ACCOUNTS) {
    const credentials = {
      ...account.credentials,
      endpoint: env[account.endpointEnv] || account.credentials.endpoint,
    };
    const current = existing.find((e) => e.partner === account.partner);
    const upToDate =
      current &&
      sameJson(current.methods, account.methods) &&
      sameJson(openCredentials(cipher, current.credentials), credentials) &&
      sameJson(current.config, account.config);
    if (!upToDate) {
      await setPartnerAccount(prisma, cipher, entityId, account.partner, {
        methods: account.methods,
        credentials,
        config: account.config,
      });
    }
  }

  const { webhook_secret } = await getWebhookSecret(prisma, cipher, entityId).catch((error: unknown) => {
    // Every secret expired (an old demo database): start a new one.
    if (error instanceof ProvisioningError && error.code === 'not_found')
      return rotateWebhookSecret(prisma, cipher, entityId);
    throw error;
  });
  const partnerAccounts = (await listPartnerAccounts(prisma, entityId)).filter((view) =>
    DEMO_PARTNER_ACCOUNTS.some((account) => account.partner === view.partner),
  );
  return {
    entity_id: entityId,
    name: DEMO_ENTITY_NAME,
    webhook_secret,
    partner_accounts: partnerAccounts,
    created,
  };
}
