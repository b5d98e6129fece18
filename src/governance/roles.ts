/**
 * The roles of General Order 41-11. A user has exactly one; what each may do is decided where the
 * action is (services check the role, the HTTP API declares the roles of every route).
 */
export const ROLES = ['operator', 'supervisor', 'administrator', 'records', 'chief', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Who did something: every audit record carries these three. */
export interface Actor {
  username: string;
  role: Role | 'system' | 'none';
  agency: string;
}

/** The service itself (retention purge, exception expiry): recorded as such in the audit log. */
export function systemActor(agency: string, what = 'platewatch'): Actor {
  return { username: `system:${what}`, role: 'system', agency };
}
