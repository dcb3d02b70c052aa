export type {
  Execution,
  ExecutionContext,
  Executors,
  HostFacts,
  InventoryReport,
} from './contract.ts';
export {
  aptEnvironment,
  aptOptions,
  dpkgOptions,
  initRoot,
  isHostRoot,
  type InitRootOptions,
} from './root.ts';
export { aptExecutors, createAptExecutors, type AptExecutorOptions } from './apt/index.ts';
export type { Sleep } from './health.ts';
