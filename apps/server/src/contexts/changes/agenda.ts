/**
 * The CAB agenda: the changes awaiting a decision (in authorise, approvals not complete), the
 * earliest window first (unscheduled last), then the highest risk; each on one page with its
 * findings, risk explanation, plans, approvals and conflicts.
 */
import type { RiskLevel } from '@patchgate/changes';
import { riskLevels } from '@patchgate/changes';
import type { ServerContext } from '../../context.ts';
import * as repo from './repository.ts';
import type { ChangeDetail } from './schema.ts';
import { changeDetail } from './service.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock'>;

const noWindow = '9999-12-31T23:59:59.999Z';

export function agendaOrder(a: ChangeDetail, b: ChangeDetail): number {
  const aStart = a.schedule?.start ?? noWindow;
  const bStart = b.schedule?.start ?? noWindow;
  if (aStart !== bStart) return aStart < bStart ? -1 : 1;
  const rank = (level: RiskLevel) => riskLevels.indexOf(level);
  if (a.risk.level !== b.risk.level) return rank(b.risk.level) - rank(a.risk.level);
  if (a.risk.score !== b.risk.score) return b.risk.score - a.risk.score;
  return a.number < b.number ? -1 : 1;
}

export async function cabAgenda(ctx: Ctx): Promise<{ changes: ChangeDetail[] }> {
  const rows = await repo.changesInStates(ctx.database.db, ['authorise']);
  const details = await Promise.all(rows.map((row) => changeDetail(ctx, row.id)));
  const waiting = details.filter((d) => !d.approvals.complete);
  return { changes: waiting.sort(agendaOrder) };
}
