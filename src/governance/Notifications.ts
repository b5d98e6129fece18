/**
 * Notices to users that the order requires (the chief told of a special deployment, a supervisor
 * told of a stale hot-list entry). Kept per user in LMDB; read through the API and the CLI.
 */
import { randomUUID } from 'node:crypto';

import type { Database } from 'lmdb';

import type { Context } from './Context.js';
import type { Actor } from './roles.js';

export interface Notification {
  id: string;
  to: string;
  at: number;
  kind: 'deployment_approved' | 'deployment_requested' | 'stale_hotlist_entry' | 'foi_request';
  subject: string;
  ref: string;
}

export class Notifications {
  readonly #ctx: Context;
  readonly #db: Database<Notification, [string, number, string]>;

  constructor(ctx: Context) {
    this.#ctx = ctx;
    this.#db = ctx.env.openDB({ name: 'notifications' });
  }

  notify(to: string, n: Pick<Notification, 'kind' | 'subject' | 'ref'>): Notification {
    const note: Notification = { id: randomUUID(), to, at: this.#ctx.now(), ...n };
    this.#db.putSync([to, note.at, note.id], note);
    return note;
  }

  /** The actor's own notices, newest first. */
  forUser(actor: Actor): Notification[] {
    return [...this.#db.getRange({ start: [actor.username], end: [`${actor.username}\u0000`] })]
      .map((e) => e.value)
      .reverse();
  }
}
