import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A simulator's books: plain in-memory state, optionally persisted to a JSON snapshot file so a
 * simulator restarted in the middle of a scenario comes back with the same books. Writes are
 * coalesced (at most one pending write) and atomic (write to a temp file, then rename).
 */
export class SnapshotStore<State> {
  private current: State;
  private writeScheduled = false;

  constructor(
    private readonly initial: () => State,
    private readonly snapshotFile?: string,
  ) {
    this.current = this.load() ?? initial();
  }

  get state(): State {
    return this.current;
  }

  /** Call after every change of the books. */
  changed(): void {
    if (!this.snapshotFile || this.writeScheduled) return;
    this.writeScheduled = true;
    setImmediate(() => {
      this.writeScheduled = false;
      this.flush();
    });
  }

  flush(): void {
    if (!this.snapshotFile) return;
    fs.mkdirSync(path.dirname(this.snapshotFile), { recursive: true });
    const temp = `${this.snapshotFile}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(this.current));
    fs.renameSync(temp, this.snapshotFile);
  }

  reset(): void {
    this.current = this.initial();
    this.changed();
  }

  private load(): State | undefined {
    if (!this.snapshotFile || !fs.existsSync(this.snapshotFile)) return undefined;
    return JSON.parse(fs.readFileSync(this.snapshotFile, 'utf8')) as State;
  }
}
