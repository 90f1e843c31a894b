import { Module } from '@nestjs/common';
import { DedupeService } from './dedupe.service.js';

/** Duplicate detection (no routes): reconciliation imports it and calls `DedupeService.findClusters`. */
@Module({
  providers: [DedupeService],
  exports: [DedupeService],
})
export class DedupeModule {}
