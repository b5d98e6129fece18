/**
 * A SchedulerLike whose clock the benchmark advances by hand, with due actions kept in a binary heap:
 * the pipeline's timers (group gaps, max delays) fire at the right virtual times with O(log n) cost, so
 * a benchmark measures the operators, not a scheduler's bookkeeping or real waiting.
 */
import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';

interface Entry {
  due: number;
  seq: number;
  action: ManualAction;
}

class ManualAction {
  closed = false;
  constructor(
    private readonly scheduler: ManualScheduler,
    private readonly work: (this: SchedulerAction<unknown>, state?: unknown) => void,
    private state: unknown,
  ) {}

  schedule(state?: unknown, delay = 0): Subscription {
    this.state = state;
    this.closed = false;
    this.scheduler.enqueue(this, delay);
    return this as unknown as Subscription;
  }

  run(): void {
    if (this.closed) return;
    this.closed = true; // a re-schedule from inside work() reopens it
    this.work.call(this as unknown as SchedulerAction<unknown>, this.state);
  }

  unsubscribe(): void {
    this.closed = true;
  }

  add(): void {}
  remove(): void {}
}

export class ManualScheduler implements SchedulerLike {
  private clock = 0;
  private seq = 0;
  private readonly heap: Entry[] = [];

  now(): number {
    return this.clock;
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    const action = new ManualAction(this, work as (this: SchedulerAction<unknown>, s?: unknown) => void, state);
    return action.schedule(state, delay);
  }

  enqueue(action: ManualAction, delay: number): void {
    const e: Entry = { due: this.clock + delay, seq: this.seq++, action };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }

  /** Moves the clock to `t`, running every action due by then in time order. */
  advanceTo(t: number): void {
    while (this.heap.length > 0 && this.heap[0]!.due <= t) {
      const e = this.pop()!;
      this.clock = Math.max(this.clock, e.due);
      e.action.run();
    }
    this.clock = Math.max(this.clock, t);
  }
}

function less(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
