export type {
  Execution,
  ExecutionContext,
  Executors,
  HostFacts,
  InventoryReport,
} from './contract.ts';
