import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { parseRequest } from '../validation/parse';
import { uuidParam } from '../validation/params';
import { ConsoleController, CurrentOperator, OperatorRole } from './console-auth';
import { NeedsAttention, reasonBody, resolveBody } from './needs-attention';
import type { ConsoleOperator } from './operator-sessions';

/** Needs attention: what a person must settle, and the action that settles each (operators only). */
@Controller('console/api')
@ConsoleController('operator-session')
export class NeedsAttentionController {
  constructor(private readonly attention: NeedsAttention) {}

  @Get('needs-attention')
  list() {
    return this.attention.list();
  }

  @Post('unknown-outcomes/:id/retry')
  @HttpCode(200)
  @OperatorRole()
  retryOutcome(@CurrentOperator() operator: ConsoleOperator, @Param('id') id: string, @Body() body: unknown) {
    const { reason } = parseRequest(reasonBody, body);
    return this.attention.retryOutcome(operator, uuidParam(id, 'outcome'), reason);
  }

  @Post('unknown-outcomes/:id/resolve')
  @HttpCode(200)
  @OperatorRole()
  resolveOutcome(
    @CurrentOperator() operator: ConsoleOperator,
    @Param('id') id: string,
    @Body() body: unknown,
  ) {
    const { as, reason } = parseRequest(resolveBody, body);
    return this.attention.resolveOutcome(operator, uuidParam(id, 'outcome'), as, reason);
  }

  @Post('webhook-endpoints/:id/redeliver')
  @HttpCode(200)
  @OperatorRole()
  redeliver(@CurrentOperator() operator: ConsoleOperator, @Param('id') id: string, @Body() body: unknown) {
    const { reason } = parseRequest(reasonBody, body);
    return this.attention.redeliverEndpoint(operator, uuidParam(id, 'webhook endpoint'), reason);
  }

  @Post('jobs/:queue/:job/retry')
  @HttpCode(200)
  @OperatorRole()
  retryJob(
    @CurrentOperator() operator: ConsoleOperator,
    @Param('queue') queue: string,
    @Param('job') job: string,
    @Body() body: unknown,
  ) {
    const { reason } = parseRequest(reasonBody, body);
    return this.attention.retryJob(operator, queue, job, reason);
  }
}
