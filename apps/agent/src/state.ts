/**
 * The agent's identity, kept in its state dir after enrolment: `agent.json` (0600) holds the
 * credential, the agentId and the server's task-signing keys pinned at enrolment. The
 * enrolment token is used once and never stored.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SigningKey } from '@patchgate/agent-protocol';
import { z } from 'zod';
import { ensurePrivateDir, writeFileAtomic } from './durable-files.ts';

/** Where the agent keeps its state when `--state-dir` is not given: under the host's root. */
export function defaultStateDir(root: string): string {
  return join(root, 'var/lib/patchgate-agent');
}

export const AgentIdentity = z.strictObject({
  version: z.literal(1),
  server: z.string().describe('the base URL the agent enrolled with'),
  agentId: z.string().min(1),
  assetId: z.string().min(1),
  assetName: z.string(),
  credential: z.string().min(1),
  signingKeys: z.array(SigningKey).min(1),
  pollSeconds: z.int().min(0),
  heartbeatSeconds: z.int().min(1),
  enrolledAt: z.string(),
});
export type AgentIdentity = z.infer<typeof AgentIdentity>;

const identityFile = (stateDir: string): string => join(stateDir, 'agent.json');

export class StateError extends Error {
  override readonly name = 'StateError';
}

/** The stored identity, or undefined before enrolment. A damaged file is an error, not a reset. */
export function loadIdentity(stateDir: string): AgentIdentity | undefined {
  const file = identityFile(stateDir);
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new StateError(`${file} is not valid JSON; remove it to enrol again`, { cause: error });
  }
  const parsed = AgentIdentity.safeParse(raw);
  if (!parsed.success)
    throw new StateError(`${file} is damaged (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return parsed.data;
}

export function saveIdentity(stateDir: string, identity: AgentIdentity): void {
  ensurePrivateDir(stateDir);
  writeFileAtomic(identityFile(stateDir), JSON.stringify(identity, null, 2) + '\n');
}
