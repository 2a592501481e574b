/**
 * The page's chart work, one slice per task (CHART-16): creating an ECharts instance and drawing an option are queued
 * here and run in order, as many per task as fit TASK_BUDGET_MS, then the queue yields to the browser (input, paint)
 * and goes on in a new task. A page of twenty charts whose data arrived together drew them all in one 300–500 ms task
 * (each init or setOption is 5–25 ms); sliced, no task runs past ~50 ms and the first charts are painted while the
 * others wait. A job queued again under the same key before it ran replaces the old one in its place (a chart drawn
 * twice in a row draws once, with the newer option); `cancel` drops it (the chart was disposed).
 */
const TASK_BUDGET_MS = 30;

const jobs = new Map<object, () => void>();
let scheduled = false;
let channel: MessageChannel | null = null;

function pump(): void {
  scheduled = false;
  const t0 = performance.now();
  for (const [key, job] of jobs) {
    jobs.delete(key);
    try {
      job();
    } catch (e) {
      // One chart's failure is that chart's (its component shows it); the others still draw.
      queueMicrotask(() => {
        throw e;
      });
    }
    if (performance.now() - t0 >= TASK_BUDGET_MS) break;
  }
  if (jobs.size) schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  // A message, not setTimeout(0): no 4 ms clamp after a few hops, and the browser may paint between two messages.
  if (typeof MessageChannel === 'undefined') {
    setTimeout(pump, 0);
    return;
  }
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = pump;
  }
  channel.port2.postMessage(null);
}

/** Runs `job` in a coming slice, after the jobs queued before it; replaces a job still waiting under `key`. */
export function queueChartWork(key: object, job: () => void): void {
  jobs.set(key, job);
  schedule();
}

/** Drops the job waiting under `key`, if any. */
export function cancelChartWork(key: object): void {
  jobs.delete(key);
}

/** Jobs waiting (tests). */
export function pendingChartWork(): number {
  return jobs.size;
}
