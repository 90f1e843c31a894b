import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { OneCModule } from '../onec/onec.module.js';
import { HealthController } from './health.controller.js';

/** Readiness needs the 1C port (OneCModule); the CRM port is global. */
@Module({ imports: [TerminusModule, OneCModule], controllers: [HealthController] })
export class HealthModule {}
