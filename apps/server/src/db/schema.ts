/**
 * The database schema as Kysely sees it: the union of every context's own tables. A context
 * writes only its own tables (docs/DEVELOPING.md); this file only composes their types.
 */
import type { AgentTables } from '../contexts/agents/tables.ts';
import type { AdvisoryTables } from '../contexts/advisories/tables.ts';
import type { AuditTables } from '../contexts/audit/tables.ts';
import type { AuthTables } from '../contexts/auth/tables.ts';
import type { CalendarTables } from '../contexts/calendar/tables.ts';
import type { ApprovalTables } from '../contexts/changes/approvals-tables.ts';
import type { ChangeTables } from '../contexts/changes/tables.ts';
import type { AutopilotTables } from '../contexts/changes/autopilot-tables.ts';
import type { EvidenceTables } from '../contexts/changes/evidence-tables.ts';
import type { RolloutFactsTables } from '../contexts/changes/rollout-facts-tables.ts';
import type { PreflightTables } from '../contexts/rollouts/preflight-tables.ts';
import type { VerificationTables } from '../contexts/rollouts/verification-tables.ts';
import type { FindingTables } from '../contexts/findings/tables.ts';
import type { InventoryTables } from '../contexts/inventory/tables.ts';
import type { JobTables } from '../contexts/jobs/tables.ts';
import type { NotificationTables } from '../contexts/notifications/tables.ts';
import type { RolloutTables } from '../contexts/rollouts/tables.ts';
import type { ReportTables } from '../contexts/reports/tables.ts';
import type { ImprovementTables } from '../contexts/improvements/tables.ts';

export interface DatabaseSchema
  extends
    AuditTables,
    AuthTables,
    JobTables,
    InventoryTables,
    AdvisoryTables,
    FindingTables,
    ChangeTables,
    ApprovalTables,
    CalendarTables,
    AutopilotTables,
    EvidenceTables,
    NotificationTables,
    RolloutFactsTables,
    PreflightTables,
    VerificationTables,
    AgentTables,
    RolloutTables,
    ReportTables,
    ImprovementTables {}
