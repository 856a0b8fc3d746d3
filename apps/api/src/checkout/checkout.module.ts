import { Module } from '@nestjs/common';
import { PartnersModule } from '@tender/partners';
import { PaymentsModule } from '../payments/payments.module';
import { CheckoutAssetsController } from './checkout-assets.controller';
import { CheckoutSessionController, ShopperSessionGuard } from './checkout-session.controller';
import { CheckoutSessions } from './checkout-session.service';

/**
 * The shopper's side of a client session: the session-scoped endpoints the drop-in calls, the
 * drop-in script itself and the hosted payment page.
 */
@Module({
  imports: [PaymentsModule, PartnersModule.forRoot()],
  controllers: [CheckoutSessionController, CheckoutAssetsController],
  providers: [CheckoutSessions, ShopperSessionGuard],
})
export class CheckoutModule {}
