import type { CliIO } from './cli.js';

/**
 * One progress line on stderr, redrawn at most ten times a second: what is done, the rate and,
 * when the total is known, the time left. Only on a terminal: on a pipe or in a file it writes
 * nothing, so logs and `--json` stay clean. Hand-written (30 lines) rather than a progress
 * library: one line, no bars, no colours, nothing to configure.
 */
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly io: Pick<CliIO, 'stderr' | 'stderrIsTTY' | 'columns'>,
    private readonly enabled: boolean,
  ) {}

  /** `done` of `total` (null: unknown) `unit`s; `what` names the current phase. */
  update(done: number, total: number | null, unit: string, what = ''): void {
    if (!this.enabled || !this.io.stderrIsTTY) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && done !== total) return;
    this.lastDraw = now;
    const s = (now - this.started) / 1000;
    const rate = s > 0 ? done / s : 0;
    const pct = total !== null && total > 0 ? ` (${Math.floor((done / total) * 100)}%)` : '';
    const parts = [`${what ? `${what}: ` : ''}${done.toLocaleString('en-US')}${total !== null ? `/${total.toLocaleString('en-US')}` : ''} ${unit}${pct}`];
    // rate and time left once a second of work gives them some meaning
    if (s >= 1) parts.push(`${formatRate(rate)} ${unit}/s`);
    if (s >= 1 && total !== null && rate > 0 && done < total) parts.push(`${formatTime((total - done) / rate)} left`);
    parts.push(`${formatTime(s)} elapsed`);
    const line = parts.join(', ');
    const width = Math.max(20, (this.io.columns ?? 80) - 1);
    this.io.stderr(`\r\x1b[K${line.length > width ? line.slice(0, width) : line}`);
    this.drawn = true;
  }

  /** Clears the line (before the result is printed). */
  done(): void {
    if (this.drawn) this.io.stderr('\r\x1b[K');
    this.drawn = false;
  }
}

function formatRate(r: number): string {
  return r >= 100 ? Math.round(r).toLocaleString('en-US') : r.toFixed(1);
}

function formatTime(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
