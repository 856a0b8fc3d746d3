import type { PartnerAdapter } from './adapter';
import { ConnectAdapter } from './connect';
import { PaytronixAdapter } from './paytronix';
import { PurseAdapter } from './purse';

/** Every partner adapter Tender drives. A new partner: one folder here plus one line in this list. */
export function createPartnerAdapters(): PartnerAdapter[] {
  return [new ConnectAdapter(), new PurseAdapter(), new PaytronixAdapter()];
}
