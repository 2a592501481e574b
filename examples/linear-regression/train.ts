/**
 * Fits y = w·x + b by full-batch gradient descent and logs the loss of every epoch into the run `cairn run` made:
 * `connect()` reads CAIRN_RELAY / CAIRN_WORKSPACE / CAIRN_TOKEN and `startRun()` resumes CAIRN_RUN_ID, so the params
 * the runner logged and these metrics are one run. Run it with `cairn run examples/linear-regression -P lr=0.05`.
 */
import { connect } from 'cairn/sdk';
import { TRUE_INTERCEPT, TRUE_SLOPE, makeData } from './data';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v)) throw new Error(`--${name} must be a number, got '${process.argv[i + 1]}'`);
  return v;
}

const lr = flag('lr', 0.05);
const epochs = Math.max(1, Math.round(flag('epochs', 100)));
const noise = flag('noise', 0.1);
const seed = flag('seed', 7);

const data = makeData(200, noise, seed);
const cairn = await connect();
const run = await cairn.startRun();
console.log(`run ${run.id}: fitting y = ${TRUE_SLOPE}x + ${TRUE_INTERCEPT} with lr=${lr} for ${epochs} epochs`);

let w = 0;
let b = 0;
let mse = NaN;
for (let epoch = 1; epoch <= epochs; epoch++) {
  let gw = 0;
  let gb = 0;
  mse = 0;
  for (const { x, y } of data) {
    const err = w * x + b - y;
    mse += err * err;
    gw += err * x;
    gb += err;
  }
  mse /= data.length;
  w -= (lr * 2 * gw) / data.length;
  b -= (lr * 2 * gb) / data.length;
  run.logMetrics({ loss: mse, w, b }, { step: epoch });
  if (epoch === 1 || epoch % 10 === 0 || epoch === epochs) console.log(`epoch ${epoch}/${epochs}  loss ${mse.toFixed(5)}  w ${w.toFixed(3)}  b ${b.toFixed(3)}`);
}
run.setTag('fit', `y = ${w.toFixed(3)}x + ${b.toFixed(3)}`);
// The runner ends the run (FINISHED on exit code 0); this waits until the relay holds every point.
await run.flush();
await cairn.close();
console.log(`final loss ${mse.toFixed(5)}`);
