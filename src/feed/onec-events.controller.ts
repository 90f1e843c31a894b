import { Controller, HttpCode, Inject, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiHeader,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Public } from '../auth/public.decorator.js';
import { DoorbellSignatureGuard, type DoorbellRequest } from './doorbell-signature.guard.js';
import { FEED_PULL_TRIGGER, type FeedPullTrigger } from './feed-pull.port.js';
import { FeedMetricsService } from './feed-metrics.service.js';

/** Events from outside systems that ask Sverka to act: the 1C doorbell. */
@ApiTags('events')
@Controller('events')
export class OneCEventsController {
  constructor(
    @Inject(FEED_PULL_TRIGGER) private readonly trigger: FeedPullTrigger,
    private readonly metrics: FeedMetricsService,
  ) {}

  @Post('onec')
  @Public()
  @UseGuards(DoorbellSignatureGuard)
  @HttpCode(202)
  @ApiOperation({
    summary: 'The 1C doorbell: pull the change feed now',
    description:
      'Sent by the SverkaFeed extension when changes wait (docs/protocols/onec-change-feed.md). No API key: ' +
      'the body must be signed with ONEC_FEED_SECRET and `ts` be within 5 minutes. Only asks for a feed pull ' +
      '(coalesced: a storm of doorbells gives one pull at a time).',
  })
  @ApiSecurity({})
  @ApiHeader({
    name: 'X-Sverka-Signature',
    required: true,
    description: '`sha256=<hex HMAC-SHA256 of the raw request body with ONEC_FEED_SECRET>`',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['node', 'pending', 'ts'],
      properties: {
        node: { type: 'string', enum: ['SVERKA'] },
        pending: { type: 'integer', minimum: 0, description: 'changes waiting in 1C' },
        ts: { type: 'integer', description: 'unix seconds when 1C rang' },
      },
    },
  })
  @ApiAcceptedResponse({ description: 'a feed pull is due' })
  @ApiUnauthorizedResponse({ description: 'missing or wrong signature, or `ts` more than 5 minutes off' })
  @ApiBadRequestResponse({ description: 'signed, but the body is not `{ node, pending, ts }`' })
  ring(@Req() req: DoorbellRequest): { status: 'accepted' } {
    if (req.doorbell) this.metrics.observe(req.doorbell.pending);
    this.trigger.request();
    return { status: 'accepted' };
  }
}
