import { CreateApiKeyAndAudit1764300000000 } from './1764300000000-CreateApiKeyAndAudit.js';
import { CreateSync1764310000000 } from './1764310000000-CreateSync.js';
import { CreateReconciliation1764320000000 } from './1764320000000-CreateReconciliation.js';
import { CreateReportDelivery1764330000000 } from './1764330000000-CreateReportDelivery.js';
import { AddRunOwnership1764400000000 } from './1764400000000-AddRunOwnership.js';
import { AddDiscrepancyRecordInfo1764410000000 } from './1764410000000-AddDiscrepancyRecordInfo.js';
import { CrmNeutralSyncData1764450000000 } from './1764450000000-CrmNeutralSyncData.js';
import { CreateConflictTodo1764470000000 } from './1764470000000-CreateConflictTodo.js';
import { AddFeedRuns1764480000000 } from './1764480000000-AddFeedRuns.js';
import { AddGoLive1764490000000 } from './1764490000000-AddGoLive.js';

/**
 * Every migration, in order, listed explicitly. Never edit a shipped migration: add a new one.
 * Timestamp ranges by module keep parallel work apart: foundation 17643000…, sync 17643100…,
 * reconcile/dedupe 17643200…, report 17643300…, runs 17644000….
 */
export const MIGRATIONS = [
  CreateApiKeyAndAudit1764300000000,
  CreateSync1764310000000,
  CreateReconciliation1764320000000,
  CreateReportDelivery1764330000000,
  AddRunOwnership1764400000000,
  AddDiscrepancyRecordInfo1764410000000,
  CrmNeutralSyncData1764450000000,
  CreateConflictTodo1764470000000,
  AddFeedRuns1764480000000,
  AddGoLive1764490000000,
];
