export type { Executors } from './executors/index.ts';
