/**
 * In-process wake-ups for long-polls: a poll waiting for an agent's tasks registers here, and
 * queuing a task for that agent wakes it. Only this process's polls hear it; a poll held by
 * another replica finds the task at its next periodic re-check of the database (routes.ts).
 */
type Waiter = () => void;

const waiters = new Map<string, Set<Waiter>>();

/** Wait for a signal for this agent; returns the function that stops waiting. */
export function onTaskSignal(agentId: string, waiter: Waiter): () => void {
  let set = waiters.get(agentId);
  if (set === undefined) {
    set = new Set();
    waiters.set(agentId, set);
  }
  set.add(waiter);
  return () => {
    const current = waiters.get(agentId);
    current?.delete(waiter);
    if (current?.size === 0) waiters.delete(agentId);
  };
}

/**
 * Wake this agent's waiting polls. Called right after a task is queued, usually before its
 * transaction commits: the poll re-reads at once (on SQLite the read waits for the writer) and
 * again shortly after, so a commit that lands a moment later is still seen quickly.
 */
export function signalTasks(agentId: string): void {
  const set = waiters.get(agentId);
  if (set === undefined) return;
  for (const waiter of [...set]) waiter();
}
