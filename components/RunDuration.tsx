'use client';

import type { RunInfo } from '@/lib/domain';
import { formatDuration } from './format';
import { useNow } from './use-now';

/** End − start; a RUNNING run's duration ticks every second. */
export default function RunDuration({ info }: { info: Pick<RunInfo, 'status' | 'startTime' | 'endTime'> }) {
  const running = info.status === 'RUNNING' && info.endTime === null;
  const now = useNow(running);
  const end = info.endTime ?? (running ? now : null);
  return <span data-testid="run-duration">{end === null ? '—' : formatDuration(end - info.startTime)}</span>;
}
