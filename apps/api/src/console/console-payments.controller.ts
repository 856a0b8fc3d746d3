import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { AUTHORIZATION_STATUSES } from '@tender/domain';
import { listPaymentsQuery, PARTNER_NAMES } from '../payments/list-payments/list-payments.schemas';
import { parseRequest } from '../validation/parse';
import { uuidParam } from '../validation/params';
import { ConsoleController, CurrentOperator, OperatorRole } from './console-auth';
import {
  approveActionBody,
  ConsolePayments,
  operationActionBody,
  type PaymentAction,
} from './console-payments';
import { homeStats } from './home-stats';
import type { ConsoleOperator } from './operator-sessions';
import { Database } from '@tender/persistence';

/** The console's payments across entities: the list, one payment, and the actions on it (operators only). */
@Controller('console/api/payments')
@ConsoleController('operator-session')
export class ConsolePaymentsController {
  constructor(private readonly payments: ConsolePayments) {}

  @Get()
  list(@Query() query: unknown) {
    return this.payments.list(parseRequest(listPaymentsQuery, query));
  }

  /** The values of the list's `status` and `partner` filters. Declared before `:id`, which would take it. */
  @Get('filters')
  filters() {
    return { statuses: [...AUTHORIZATION_STATUSES], partners: [...PARTNER_NAMES] };
  }

  @Get(':id')
  detail(@Param('id') id: string) {
    return this.payments.detail(uuidParam(id, 'payment'));
  }

  @Post(':id/capture')
  @HttpCode(201)
  @OperatorRole()
  capture(@CurrentOperator() operator: ConsoleOperator, @Param('id') id: string, @Body() body: unknown) {
    return this.act(operator, 'capture', id, body);
  }

  @Post(':id/void')
  @HttpCode(201)
  @OperatorRole()
  voidPayment(@CurrentOperator() operator: ConsoleOperator, @Param('id') id: string, @Body() body: unknown) {
    return this.act(operator, 'void', id, body);
  }

  @Post(':id/refund')
  @HttpCode(201)
  @OperatorRole()
  refund(@CurrentOperator() operator: ConsoleOperator, @Param('id') id: string, @Body() body: unknown) {
    return this.act(operator, 'refund', id, body);
  }

  @Post(':id/approve')
  @HttpCode(201)
  @OperatorRole()
  approve(@CurrentOperator() operator: ConsoleOperator, @Param('id') id: string, @Body() body: unknown) {
    return this.act(operator, 'approve', id, body);
  }

  private act(operator: ConsoleOperator, action: PaymentAction, id: string, body: unknown) {
    const parsed = parseRequest(action === 'approve' ? approveActionBody : operationActionBody, body);
    return this.payments.act(operator, action, uuidParam(id, 'payment'), parsed);
  }
}

/** The console's home page: payments per minute and authorization rate per partner, last hour. */
@Controller('console/api/home')
@ConsoleController('operator-session')
export class ConsoleHomeController {
  constructor(private readonly db: Database) {}

  @Get()
  home() {
    return homeStats(this.db);
  }
}
