import { formatBytes } from './summary';

/** Where an import or export stands. */
export interface Progress {
  runsDone: number;
  runsTotal: number;
  points: number;
  bytes: number;
}

/** A plain (non-TTY) progress line at most this often, so a log file gets a line every few seconds, not one per run. */
const PLAIN_EVERY_MS = 2_000;
/** A TTY line is redrawn at most this often. */
const TTY_EVERY_MS = 100;

export const progressText = (verb: string, p: Progress): string =>
  `${verb}: runs ${p.runsDone}/${p.runsTotal}, ${p.points} metric points, ${formatBytes(p.bytes)} of artifacts`;

/**
 * The progress line on stderr: redrawn in place on a TTY, plain lines (throttled) otherwise, e.g. in CI logs. `done()`
 * prints the final state once, whatever the throttle said.
 */
export class ProgressLine {
  private last = 0;
  private shown = '';

  constructor(private readonly verb: string, private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(p: Progress): void {
    const now = Date.now();
    if (now - this.last < (this.out.isTTY ? TTY_EVERY_MS : PLAIN_EVERY_MS)) return;
    this.last = now;
    this.write(progressText(this.verb, p));
  }

  done(p: Progress): void {
    this.write(progressText(this.verb, p));
    if (this.out.isTTY) this.out.write('\n');
  }

  private write(text: string): void {
    if (this.out.isTTY) this.out.write(`\r\x1b[2K${text}`);
    else if (text !== this.shown) this.out.write(`${text}\n`);
    this.shown = text;
  }
}
