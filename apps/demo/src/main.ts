import { createDemoShop } from './demo-shop';

/**
 * `npm start` runs the demo shop beside the API (scripts/start-all.ts gives it a client of the demo
 * entity): DEMO_SHOP_PORT (4100), TENDER_API_URL, TENDER_PUBLIC_URL, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET.
 */
const port = Number(process.env.DEMO_SHOP_PORT ?? 4100);
const apiUrl = process.env.TENDER_API_URL ?? 'http://127.0.0.1:3000';
const clientId = process.env.DEMO_CLIENT_ID ?? '';
const clientSecret = process.env.DEMO_CLIENT_SECRET ?? '';

let cached: { token: string; until: number } | undefined;
async function token(): Promise<string> {
  if (cached && cached.until > Date.now()) return cached.token;
  const response = await fetch(`${apiUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    }),
  });
  const body = (await response.json()) as { access_token: string; expires_in: number };
  if (!response.ok) throw new Error(`demo shop: token refused (${response.status})`);
  cached = { token: body.access_token, until: Date.now() + (body.expires_in - 30) * 1000 };
  return cached.token;
}

const app = createDemoShop({ apiUrl, publicApiUrl: process.env.TENDER_PUBLIC_URL, token });
const server = app.listen(port, '127.0.0.1', () => {
  console.log(`demo shop on http://127.0.0.1:${port}/demo/shop`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
