import type { PartnerAdapter } from '@tender/partners';
import { ConnectAdapter } from '@tender/partners/connect';
import { PaytronixAdapter } from '@tender/partners/paytronix';
import { PurseAdapter } from '@tender/partners/purse';

/** Every partner adapter the worker drives. A new partner: one folder in libs/partners plus one line here. */
export function createPartnerAdapters(): PartnerAdapter[] {
  return [new ConnectAdapter(), new PurseAdapter(), new PaytronixAdapter()];
}
