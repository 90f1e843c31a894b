import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SETTINGS, type Settings } from '../config/settings.js';
import { ConflictTodosService } from './conflict-todos.service.js';

/**
 * With schedules on and conflict to-dos enabled: asks for an upkeep pass at start and then every
 * CONFLICT_TODO_CHECK_SECONDS (the look for completed to-dos). Only asks: the service runs one pass at a
 * time, and the advisory lock one across instances.
 */
@Injectable()
export class ConflictTodosScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(ConflictTodosScheduler.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly todos: ConflictTodosService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.settings.SCHEDULER_ENABLED || !this.todos.enabled) return;
    const seconds = this.settings.CONFLICT_TODO_CHECK_SECONDS;
    this.timer = setInterval(() => this.todos.request(), seconds * 1000);
    this.timer.unref();
    this.log.log(`conflict to-dos: checked every ${seconds} s, and after each sync run and resolution`);
    this.todos.request();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
