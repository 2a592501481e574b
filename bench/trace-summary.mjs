// Where a page's threads spent a Chromium trace (BENCH_CHARTS_TRACE, BENCH_CHARTS_TRACE_RUN):
//   node bench/trace-summary.mjs <trace.json> [until-ms]
// For each renderer thread (main, workers): busy time in top-level tasks, the longest tasks, and the JS functions and
// trace event kinds that took the most self time, counted from the first navigation event up to `until-ms`.
import { readFileSync } from 'node:fs';

const [file, untilArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/trace-summary.mjs <trace.json> [until-ms]');
  process.exit(2);
}
const raw = JSON.parse(readFileSync(file, 'utf8'));
const events = Array.isArray(raw) ? raw : raw.traceEvents;
const names = new Map();
for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
const nav = events.filter((e) => e.name === 'navigationStart' || e.name === 'TracingStartedInBrowser').map((e) => e.ts);
const t0 = Math.min(...(nav.length ? nav : events.filter((e) => e.ts).map((e) => e.ts)));
const until = untilArg ? t0 + Number(untilArg) * 1000 : Infinity;
const byThread = new Map();
for (const e of events) {
  if (e.ph !== 'X' || !e.dur || e.ts < t0 || e.ts > until) continue;
  const key = `${e.pid}:${e.tid}`;
  const tn = names.get(key) ?? key;
  if (!/CrRendererMain|Worker/i.test(tn)) continue;
  if (!byThread.has(key)) byThread.set(key, { name: tn, events: [] });
  byThread.get(key).events.push(e);
}
const ms = (us) => (us / 1000).toFixed(1);
for (const { name, events: evs } of byThread.values()) {
  evs.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  // Top-level tasks only (a RunTask inside a ThreadControllerImpl::RunTask is the same task).
  const tasks = [];
  let end = -Infinity;
  for (const e of evs) {
    if (e.name !== 'RunTask' && e.name !== 'ThreadControllerImpl::RunTask') continue;
    if (e.ts < end) continue;
    tasks.push(e);
    end = e.ts + e.dur;
  }
  if (tasks.length === 0) continue;
  const busy = tasks.reduce((s, e) => s + e.dur, 0);
  const cpu = tasks.reduce((s, e) => s + (e.tdur ?? e.dur), 0);
  console.log(`\n== ${name}: busy ${ms(busy)} ms (CPU ${ms(cpu)} ms) in ${tasks.length} tasks`);
  console.log('  longest tasks (start ms: duration ms):', tasks.slice().sort((a, b) => b.dur - a.dur).slice(0, 8).map((e) => `${ms(e.ts - t0)}: ${ms(e.dur)}`).join(', '));
  // Self time per event kind / JS function: an event's duration minus its direct children's.
  const self = new Map();
  const stack = [];
  for (const e of evs) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) parent.childDur = (parent.childDur ?? 0) + e.dur;
    stack.push(e);
  }
  for (const e of evs) {
    if (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') continue;
    const d = e.args?.data;
    const label = e.name === 'FunctionCall' || e.name === 'EvaluateScript' || e.name === 'v8.compile' ? `${e.name} ${(d?.url ?? '').split('/').pop()}:${d?.functionName ?? ''}` : e.name;
    self.set(label, (self.get(label) ?? 0) + e.dur - (e.childDur ?? 0));
  }
  console.log('  most self time:');
  for (const [label, d] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`    ${ms(d).padStart(8)} ms  ${label}`);
}
