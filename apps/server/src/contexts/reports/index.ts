/** The reports context's public face (issue 11). */
// Report builders (builders/): a request → a ReportDocument with its recorded inputs.
export type { ReportRequest } from './builders/build.ts';
export { buildReport } from './builders/build.ts';
export { requestOfInputs } from './builders/build.ts';
