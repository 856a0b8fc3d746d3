import { connect } from './connect/partner';
import type { Partner } from './partner';
import { paytronix } from './paytronix/partner';
import { purse } from './purse/partner';

/** Every partner Tender drives. A new partner: one folder (its partner.ts) plus one entry here. */
export const PARTNERS: readonly Partner[] = [connect, purse, paytronix];
