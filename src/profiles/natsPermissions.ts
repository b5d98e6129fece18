/**
 * NATS permissions generated from alert profiles: where the order is enforced against a hand-written
 * client. A dispatch user may subscribe only to `platewatch.hits.<category>.>` of the categories
 * their profile (plus any live exception) allows; they may publish nothing, so they cannot reach the
 * JetStream API either (a consumer on the hit stream would otherwise hand them every category).
 */
import type { CategoryId } from '../categories.js';
import { SUBJECT_PREFIX } from '../subjects.js';

export interface NatsPermissions {
  publish: { allow?: string[]; deny?: string[] };
  subscribe: { allow?: string[]; deny?: string[] };
}

/** The hit subjects of one category, all cameras. */
export function categoryHitSubjects(category: CategoryId): string {
  return `${SUBJECT_PREFIX}.hits.${category}.>`;
}

export function dispatchPermissions(categories: readonly CategoryId[]): NatsPermissions {
  // An empty allow list means "no restriction" to nats-server: with no category, deny everything.
  const subscribe =
    categories.length > 0 ? { allow: [...categories].sort().map(categoryHitSubjects) } : { deny: ['>'] };
  return { publish: { deny: ['>'] }, subscribe };
}

export interface NatsUserEntry {
  /** Public NKey (starts with U). */
  nkey: string;
  /** Absent: full permissions (the platewatch service itself). */
  permissions?: NatsPermissions;
}

/**
 * The `authorization { users = [...] }` block of a nats-server configuration (the format accepts
 * JSON values, so the block is written with JSON.stringify and needs no escaping of its own).
 */
export function natsAuthorizationBlock(users: readonly NatsUserEntry[]): string {
  const lines = users.map((u) => `    ${JSON.stringify(u)}`);
  return `authorization {\n  users = [\n${lines.join(',\n')}\n  ]\n}\n`;
}
