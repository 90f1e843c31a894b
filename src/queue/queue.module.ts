import { Global, Module, type DynamicModule } from '@nestjs/common';
import { QueueService } from './queue.service.js';
import { QUEUE_DATABASE_URL } from './queue.tokens.js';

@Global()
@Module({})
export class QueueModule {
  static forRoot(databaseUrl: string): DynamicModule {
    return {
      module: QueueModule,
      providers: [{ provide: QUEUE_DATABASE_URL, useValue: databaseUrl }, QueueService],
      exports: [QueueService],
    };
  }
}
