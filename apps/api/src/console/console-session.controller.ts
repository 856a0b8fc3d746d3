import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ConsoleController, CurrentOperator, OperatorSession } from './console-auth';
import type { ConsoleOperator } from './operator-sessions';
import { SignIn, sessionView } from './sign-in';

/**
 * `POST /console/api/session` (sign in: no session yet, its refusals counted by {@link SignIn}),
 * `GET` (who am I, and the CSRF token after a reload), `DELETE` (sign out).
 */
@Controller('console/api/session')
@ConsoleController('open')
export class ConsoleSessionController {
  constructor(private readonly signIn: SignIn) {}

  @Post()
  @HttpCode(201)
  create(@Req() request: Request, @Res({ passthrough: true }) response: Response, @Body() body: unknown) {
    return this.signIn.signIn(request, response, body);
  }

  @Get()
  @OperatorSession()
  current(@CurrentOperator() operator: ConsoleOperator) {
    return sessionView(operator);
  }

  @Delete()
  @HttpCode(204)
  @OperatorSession()
  async remove(
    @Req() request: Request,
    @CurrentOperator() operator: ConsoleOperator,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    await this.signIn.signOut(request, operator, response);
  }
}
