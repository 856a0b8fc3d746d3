import { listen, type RunningServer } from './common/listen';
import { connectSimulatorOptionsFromEnv, createConnectSimulator } from './connect';
import { createPaytronixSimulator, paytronixSimulatorOptionsFromEnv } from './paytronix';
import { createPurseSimulator, purseSimulatorOptionsFromEnv } from './purse';

/**
 * Starts the three partner simulators in one process:
 *
 *   CONNECT_SIM_PORT (4101), PURSE_SIM_PORT (4102), PAYTRONIX_SIM_PORT (4103) on SIM_HOST (127.0.0.1);
 *   each simulator's own settings come from CONNECT_SIM_*, PURSE_SIM_*, PAYTRONIX_SIM_*.
 *
 * Run: `npx ts-node apps/simulators/src/main.ts` (or `npm run start:simulators`). SIGINT / SIGTERM
 * close the servers and write the snapshots.
 */
function port(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a TCP port`);
  return value;
}

interface Started {
  name: string;
  server: RunningServer;
  close: () => void | Promise<void>;
}

async function main(): Promise<void> {
  const host = process.env.SIM_HOST || '127.0.0.1';
  const simulators = [
    {
      name: 'connect',
      port: port('CONNECT_SIM_PORT', 4101),
      sim: createConnectSimulator(connectSimulatorOptionsFromEnv(process.env)),
    },
    {
      name: 'purse',
      port: port('PURSE_SIM_PORT', 4102),
      sim: createPurseSimulator(purseSimulatorOptionsFromEnv(process.env)),
    },
    {
      name: 'paytronix',
      port: port('PAYTRONIX_SIM_PORT', 4103),
      sim: createPaytronixSimulator(paytronixSimulatorOptionsFromEnv(process.env)),
    },
  ];

  const started: Started[] = [];
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: closing simulators`);
    for (const { name, server, close } of started) {
      try {
        await close();
        await server.close();
      } catch (error) {
        console.error(`${name} simulator: ${(error as Error).message}`);
      }
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  for (const { name, port: wanted, sim } of simulators) {
    const server = await listen(sim.app, wanted, host);
    started.push({ name, server, close: () => sim.close() });
    console.log(`${name} simulator listening on ${server.url}`);
  }
}

main().catch((error: Error) => {
  console.error(`simulators failed to start: ${error.message}`);
  process.exit(1);
});
