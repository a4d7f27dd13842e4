import type { Output } from './command';

/**
 * The progress of a batch on stderr (the import of a folder, the export of a department): a bar
 * redrawn on a terminal with the item being done, one line per item otherwise (a log reads well).
 */
export class Progress {
  private done = 0;
  constructor(
    private readonly total: number,
    private readonly io: Output,
    private readonly tty: boolean,
  ) {
    if (tty) this.draw('');
  }

  private draw(name: string): void {
    const width = 30;
    const full = Math.round((this.done / this.total) * width);
    const bar = `${'█'.repeat(full)}${'░'.repeat(width - full)}`;
    const label = name.length > 40 ? `…${name.slice(-39)}` : name;
    this.io.err(`\r\x1b[K${bar} ${this.done}/${this.total} ${label}`);
  }

  /** One item done: `name` on the bar; `line` (what became of it) on its own line off a terminal. */
  tick(name: string, line: () => string): void {
    this.done++;
    if (this.tty) {
      this.draw(name);
      if (this.done === this.total) this.io.err('\n');
      return;
    }
    this.io.err(`[${this.done}/${this.total}] ${name} : ${line()}\n`);
  }
}
