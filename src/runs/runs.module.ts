import { Global, Module } from '@nestjs/common';
import { RunSweeperService } from './run-sweeper.service.js';

/** The run lifecycle shared by sync and reconciliation; its sweeper recovers dead runs on every instance. */
@Global()
@Module({
  providers: [RunSweeperService],
  exports: [RunSweeperService],
})
export class RunsModule {}
