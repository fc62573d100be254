/**
 * "There may be work": the store tells the workers of this process that a job became runnable,
 * so they claim it now instead of at their next poll. SQLite emits it in-process after a desire
 * commits; PostgreSQL relays NOTIFY from any process (`postgres/listen.ts`). A signal may be
 * spurious (the job was already taken) and may be missed (a dropped connection): polling stays
 * as the fallback, so a listener only ever shortens a sleep.
 */
export type WorkListener = () => void;

export class WorkSignal {
  private readonly listeners = new Set<WorkListener>();

  get size(): number {
    return this.listeners.size;
  }

  /** Call `listener` on each signal until the returned function is called. */
  on(listener: WorkListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; the others still hear the signal.
      }
    }
  }
}
