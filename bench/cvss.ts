/**
 * CVSS scoring cost per version, against v3.1 (the most common vector in real data) as the
 * baseline measured in the same run. Moved here from a unit test: timings are reported, not
 * asserted.
 */
import { scoreCvss } from '@patchgate/cvss';

const vectors: Record<string, string> = {
  '2.0': 'AV:N/AC:L/Au:N/C:P/I:P/A:P',
  '3.0': 'CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
  '3.1': 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
  '3.1 env': 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N/E:P/RL:O/RC:C/CR:H/MAV:A',
  '4.0': 'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N',
  '4.0 env':
    'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N/CR:H/IR:L/AR:L/MAV:N/MAC:H',
};

function microsecondsPerScore(vector: string, rounds: number): number {
  for (let i = 0; i < 2_000; i++) scoreCvss(vector); // warm-up
  const started = performance.now();
  for (let i = 0; i < rounds; i++) scoreCvss(vector);
  return ((performance.now() - started) * 1000) / rounds;
}

export function benchCvss(): Promise<void> {
  const rounds = 50_000;
  const baseline = microsecondsPerScore(vectors['3.1'] as string, rounds);
  for (const [version, vector] of Object.entries(vectors)) {
    const cost = version === '3.1' ? baseline : microsecondsPerScore(vector, rounds);
    process.stdout.write(
      `cvss   ${version.padEnd(8)} ${cost.toFixed(2)} µs/vector (${(cost / baseline).toFixed(2)}x v3.1 base)\n`,
    );
  }
  return Promise.resolve();
}
