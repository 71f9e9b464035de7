/**
 * What `tide up` prints. On a TTY: replica log lines scroll above a live status table that is
 * redrawn in place (a sticky footer). Otherwise: plain lines, and one line per decision change.
 */
import type { OutputStream } from '../targets/target.js';
import type { TideStatus } from '../scheduler/status.js';
import { renderStatusTable } from './status-table.js';

// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ANSI = /\x1b\[[0-9;]*m/g;
const stripAnsi = (s: string) => s.replace(ANSI, '');

const COLORS = [36, 32, 33, 35, 34, 96, 92, 93, 95, 94];

export class TerminalView {
  readonly #out: NodeJS.WriteStream;
  readonly #live: boolean;
  readonly #colors = new Map<string, number>();
  #footerLines = 0;
  #footer = '';

  constructor(out: NodeJS.WriteStream, opts: { plain?: boolean } = {}) {
    this.#out = out;
    this.#live = Boolean(out.isTTY) && !opts.plain;
  }

  get live(): boolean {
    return this.#live;
  }

  #color(name: string): number {
    let c = this.#colors.get(name);
    if (c === undefined) {
      c = COLORS[this.#colors.size % COLORS.length] ?? 36;
      this.#colors.set(name, c);
    }
    return c;
  }

  /** A line from a replica or job, prefixed with its name. */
  replicaLine(name: string, stream: OutputStream, line: string): void {
    const prefix = this.#live ? `\x1b[${this.#color(name)}m${name}\x1b[0m` : name;
    this.#write(`${prefix} ${stream === 'stderr' ? '!' : '|'} ${line}\n`);
  }

  /** tide's own message. */
  info(line: string): void {
    this.#write(`${this.#live ? '\x1b[1mtide\x1b[0m' : 'tide'} ${line}\n`);
  }

  /** Redraws the live table (TTY only). */
  status(status: TideStatus): void {
    if (!this.#live) return;
    const width = this.#out.columns ?? 120;
    const table = renderStatusTable(status, { width });
    this.#footer = `\x1b[2m${'─'.repeat(Math.min(width, 120))}\x1b[0m\n${table}\n`;
    this.#clearFooter();
    this.#drawFooter();
  }

  close(): void {
    if (this.#live) this.#clearFooter();
    this.#footer = '';
  }

  #write(text: string): void {
    if (!this.#live) {
      this.#out.write(text);
      return;
    }
    this.#clearFooter();
    this.#out.write(text);
    this.#drawFooter();
  }

  #clearFooter(): void {
    if (this.#footerLines > 0) this.#out.write(`\x1b[${this.#footerLines}A\x1b[0J`);
    this.#footerLines = 0;
  }

  #drawFooter(): void {
    if (!this.#footer) return;
    this.#out.write(this.#footer);
    const width = this.#out.columns ?? 120;
    // Count wrapped lines so the next clear moves up exactly over the footer.
    this.#footerLines = this.#footer
      .split('\n')
      .slice(0, -1)
      .reduce((n, l) => n + Math.max(1, Math.ceil(stripAnsi(l).length / width)), 0);
  }
}
