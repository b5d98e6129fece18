/**
 * Every route of the HTTP API in one table: method, path, the roles that may call it, its schemas and
 * its handler. The server authenticates and checks the role before the body is even parsed; the
 * services check the role again (so the CLI and the API obey the same rules).
 */

import { AUDIT_READERS } from '../audit/AuditService.js';
import type { Governance } from '../governance/Governance.js';
import type { Justification } from '../governance/purposes.js';
import type { Actor, Role } from '../governance/roles.js';
import { transparencyReport } from '../governance/transparencyReport.js';
import { CASE_EXPORTERS, HISTORY_SEARCHERS, HOLD_VIEWERS } from '../history/HistoryStore.js';
import { HIT_REVIEWERS } from '../hits/HitReview.js';
import { DEPLOYMENT_APPROVERS, DEPLOYMENT_REQUESTERS, DEPLOYMENT_VIEWERS } from '../sharing/DeploymentService.js';
import { SHARING_CLERKS, SHARING_VIEWERS } from '../sharing/SharingService.js';
import * as s from './schemas.js';

export interface ApiCall {
  actor: Actor;
  token: string;
  body: Record<string, unknown> & Partial<Justification>;
  query: Record<string, unknown>;
  params: Record<string, string>;
}

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  url: string;
  /** 'public': no token (login only); 'any': every authenticated role. */
  roles: readonly Role[] | 'any' | 'public';
  summary: string;
  tag: string;
  body?: Record<string, unknown>;
  querystring?: Record<string, unknown>;
  params?: Record<string, unknown>;
  status?: number;
  handler(gov: Governance, call: ApiCall, hooks: ApiHooks): unknown;
}

/** What the API process can do beyond the store (purge the JetStream read stream, reload NATS permissions). */
export interface ApiHooks {
  purgeReadStream?: (cutoff: number) => Promise<number>;
  natsPermissionsChanged?: () => void | Promise<void>;
}

const ADMIN: Role[] = ['administrator'];
const USER_VIEWERS: Role[] = ['administrator', 'chief', 'auditor'];
const TRANSPARENCY: Role[] = ['chief', 'administrator', 'records', 'auditor'];

function why(b: ApiCall['body']): Partial<Justification> {
  return { purpose: b.purpose, reason: b.reason, caseNumber: b.caseNumber ?? null };
}

export const ROUTES: RouteSpec[] = [
  // --- authentication
  {
    method: 'POST',
    url: '/auth/login',
    roles: 'public',
    summary: 'Log in with a user name and password; returns an API token',
    tag: 'auth',
    body: s.loginBody,
    handler: (gov, { body }) => gov.users.login(body.username as string, body.password as string),
  },
  {
    method: 'POST',
    url: '/auth/logout',
    roles: 'any',
    summary: 'End this token',
    tag: 'auth',
    body: s.empty,
    handler: (gov, { actor, token }) => {
      gov.users.logout(actor, token);
      return { ok: true };
    },
  },
  {
    method: 'PUT',
    url: '/auth/password',
    roles: 'any',
    summary: 'Change your own password (audited; other sessions end)',
    tag: 'auth',
    body: s.passwordBody,
    handler: async (gov, { actor, body }) => {
      await gov.users.changePassword(actor, body.currentPassword as string, body.newPassword as string);
      return { ok: true };
    },
  },
  {
    method: 'GET',
    url: '/me',
    roles: 'any',
    summary: 'Who you are, your alert profile and the categories that may reach you now',
    tag: 'me',
    handler: (gov, { actor }) => ({
      user: gov.users.view(actor.username),
      profile: gov.profiles.profile(actor.username) ?? null,
      // No alert reaches a user until they establish a profile (clients should ask at first login).
      profileRequired: gov.profiles.profile(actor.username) === undefined,
      allowedCategories: gov.profiles.allowedCategories(actor.username),
    }),
  },
  {
    method: 'PUT',
    url: '/me/profile',
    roles: 'any',
    summary: 'Establish or change your alert profile (authorized categories only)',
    tag: 'me',
    body: s.profileBody,
    handler: async (gov, { actor, body }, hooks) => {
      const profile = gov.profiles.establish(actor, body.categories as string[]);
      await hooks.natsPermissionsChanged?.();
      return profile;
    },
  },
  {
    method: 'POST',
    url: '/me/nats-credentials',
    roles: 'any',
    summary: 'New NATS credentials (NKey seed, shown once) limited to your allowed hit subjects',
    tag: 'me',
    body: s.empty,
    status: 201,
    handler: async (gov, { actor }, hooks) => {
      const creds = gov.profiles.issueNatsCredentials(actor);
      await hooks.natsPermissionsChanged?.();
      return { ...creds, permissions: gov.profiles.natsPermissions(actor.username) };
    },
  },
  {
    method: 'GET',
    url: '/me/notifications',
    roles: 'any',
    summary: 'Your notices (deployments, stale hot-list entries, FOI requests)',
    tag: 'me',
    handler: (gov, { actor }) => gov.notifications.forUser(actor),
  },
  // --- users
  {
    method: 'GET',
    url: '/users',
    roles: USER_VIEWERS,
    summary: 'List users (no password hashes)',
    tag: 'users',
    handler: (gov, { actor }) => gov.users.list(actor),
  },
  {
    method: 'POST',
    url: '/users',
    roles: ADMIN,
    summary: 'Designate a trained user (training date required)',
    tag: 'users',
    body: s.designateBody,
    status: 201,
    handler: (gov, { actor, body }) => gov.users.designate(actor, body as never),
  },
  {
    method: 'PATCH',
    url: '/users/:username',
    roles: ADMIN,
    summary: "Change a user's role, training date, supervisor or active flag",
    tag: 'users',
    params: s.usernameParam,
    body: s.updateUserBody,
    handler: (gov, { actor, params, body }) => gov.users.update(actor, params.username!, body as never),
  },
  {
    method: 'POST',
    url: '/users/:username/unlock',
    roles: ADMIN,
    summary: 'Unlock a locked account',
    tag: 'users',
    params: s.usernameParam,
    body: s.empty,
    handler: (gov, { actor, params }) => gov.users.unlock(actor, params.username!),
  },
  {
    method: 'PUT',
    url: '/users/:username/password',
    roles: ADMIN,
    summary: "Set a user's password (audited)",
    tag: 'users',
    params: s.usernameParam,
    body: s.resetPasswordBody,
    handler: async (gov, { actor, params, body }) => {
      await gov.users.resetPassword(actor, params.username!, body.newPassword as string);
      return { ok: true };
    },
  },
  // --- exceptions
  {
    method: 'GET',
    url: '/exceptions',
    roles: USER_VIEWERS,
    summary: 'All category exceptions, live and ended',
    tag: 'profiles',
    handler: (gov, { actor }) => gov.profiles.listExceptions(actor),
  },
  {
    method: 'POST',
    url: '/exceptions',
    roles: ADMIN,
    summary: 'Grant one user a prohibited category for one investigation, until an expiry',
    tag: 'profiles',
    body: s.exceptionBody,
    status: 201,
    handler: async (gov, { actor, body }, hooks) => {
      const ex = gov.profiles.grantException(actor, body as never);
      await hooks.natsPermissionsChanged?.();
      return ex;
    },
  },
  {
    method: 'POST',
    url: '/exceptions/:id/revoke',
    roles: ADMIN,
    summary: 'End an exception now',
    tag: 'profiles',
    params: s.idParam,
    body: s.empty,
    handler: async (gov, { actor, params }, hooks) => {
      const ex = gov.profiles.revokeException(actor, params.id!);
      await hooks.natsPermissionsChanged?.();
      return ex;
    },
  },
  // --- audit
  {
    method: 'POST',
    url: '/audit/verify',
    roles: AUDIT_READERS,
    summary: 'Verify the audit hash chain (the check is itself recorded)',
    tag: 'audit',
    body: s.empty,
    handler: (gov, { actor }) => gov.audit.verify(actor),
  },
  {
    method: 'POST',
    url: '/audit/records',
    roles: AUDIT_READERS,
    summary: 'Read audit records (with a purpose and reason; the read is audited)',
    tag: 'audit',
    body: s.auditRecordsBody,
    handler: (gov, { actor, body }) =>
      gov.audit.read(
        actor,
        {
          user: body.user as string | undefined,
          action: body.action as string | undefined,
          purpose: body.filterPurpose as string | undefined,
          outcome: body.outcome as never,
          from: body.from === undefined ? undefined : new Date(body.from as string).getTime(),
          to: body.to === undefined ? undefined : new Date(body.to as string).getTime(),
          limit: body.limit as number | undefined,
        },
        why(body),
      ),
  },
  {
    method: 'POST',
    url: '/audit/report',
    roles: AUDIT_READERS,
    summary: 'Audit report by user, purpose or action over a period',
    tag: 'audit',
    body: s.auditReportBody,
    handler: (gov, { actor, body }) =>
      gov.audit.report(actor, { from: body.from as string, to: body.to as string, by: body.by as never }, why(body)),
  },
  // --- history
  {
    method: 'POST',
    url: '/history/search',
    roles: HISTORY_SEARCHERS,
    summary: 'Search the history of reads (purpose code and reason required; case number for investigations)',
    tag: 'history',
    body: s.historyBody,
    handler: (gov, { actor, body }) => gov.history.search(actor, body.query as never, why(body)),
  },
  {
    method: 'POST',
    url: '/history/export',
    roles: CASE_EXPORTERS,
    summary: 'Download reads for a case: the results are put on a case hold',
    tag: 'history',
    body: s.historyBody,
    handler: (gov, { actor, body }) => gov.history.exportForCase(actor, body.query as never, why(body)),
  },
  {
    method: 'GET',
    url: '/holds',
    roles: HOLD_VIEWERS,
    summary: 'Case holds',
    tag: 'history',
    handler: (gov, { actor }) => gov.history.holds(actor),
  },
  {
    method: 'POST',
    url: '/holds/:caseNumber/disposition',
    roles: ['records'],
    summary: "Record a case's final disposition: its reads return to the normal schedule",
    tag: 'history',
    params: s.caseParam,
    body: s.dispositionBody,
    handler: (gov, { actor, params, body }) => gov.history.recordDisposition(actor, params.caseNumber!, body as never),
  },
  {
    method: 'POST',
    url: '/retention/purge',
    roles: ['records', 'administrator'],
    summary: 'Run the retention purge now (LMDB and the JetStream read stream; audited with counts)',
    tag: 'history',
    body: s.empty,
    handler: async (gov, { actor }, hooks) => {
      const cutoff = gov.history.cutoff();
      const streamPurged = hooks.purgeReadStream ? await hooks.purgeReadStream(cutoff) : -1;
      return { ...gov.purgeExpired(actor, { streamPurged }), streamPurged };
    },
  },
  // --- hits
  {
    method: 'GET',
    url: '/hits',
    roles: HIT_REVIEWERS,
    summary: 'Hits of the categories your profile allows, newest first',
    tag: 'hits',
    querystring: s.hitsQuery,
    handler: (gov, { actor, query }) => gov.hits.list(actor, query as never),
  },
  {
    method: 'GET',
    url: '/hits/:id',
    roles: HIT_REVIEWERS,
    summary: 'One hit with its evidence',
    tag: 'hits',
    params: s.idParam,
    handler: (gov, { actor, params }) => gov.hits.get(actor, params.id!),
  },
  {
    method: 'POST',
    url: '/hits/:id/verify',
    roles: HIT_REVIEWERS,
    summary: 'Record visual verification (characters and state) and the CJIS/NCIC/RMS confirmation: stop authorized',
    tag: 'hits',
    params: s.idParam,
    body: s.verifyBody,
    handler: (gov, { actor, params, body }) => gov.hits.verify(actor, params.id!, body as never),
  },
  {
    method: 'POST',
    url: '/hits/:id/disposition',
    roles: HIT_REVIEWERS,
    summary: 'Close a hit: confirmed, wrong state, misread, no longer wanted, dismissed',
    tag: 'hits',
    params: s.idParam,
    body: s.hitDispositionBody,
    handler: (gov, { actor, params, body }) => gov.hits.dispose(actor, params.id!, body as never),
  },
  // --- manual hot-list entries
  {
    method: 'GET',
    url: '/hotlist/manual',
    roles: ['supervisor', 'administrator'],
    summary: 'Manual hot-list entries',
    tag: 'hotlist',
    handler: (gov, { actor }) => gov.manualEntries.list(actor),
  },
  {
    method: 'POST',
    url: '/hotlist/manual',
    roles: ['supervisor'],
    summary: 'Add a manual entry (supervisors; CJIS reference, listed reason and expiry required)',
    tag: 'hotlist',
    body: s.manualEntryBody,
    status: 201,
    handler: (gov, { actor, body }) => gov.manualEntries.add(actor, body as never),
  },
  {
    method: 'PUT',
    url: '/hotlist/manual/:id',
    roles: ['supervisor'],
    summary: 'Update a manual entry when the information changes',
    tag: 'hotlist',
    params: s.idParam,
    body: s.manualEntryBody,
    handler: (gov, { actor, params, body }) => gov.manualEntries.update(actor, params.id!, body as never),
  },
  {
    method: 'POST',
    url: '/hotlist/manual/:id/expire',
    roles: ['supervisor'],
    summary: 'Expire a manual entry now',
    tag: 'hotlist',
    params: s.idParam,
    body: s.reasonBody,
    handler: (gov, { actor, params, body }) => gov.manualEntries.expire(actor, params.id!, body.reason as string),
  },
  {
    method: 'GET',
    url: '/hotlist/stale',
    roles: ['supervisor', 'administrator'],
    summary: 'Manual entries that need updating or expiring',
    tag: 'hotlist',
    handler: (gov, { actor }) => {
      const all = gov.manualEntries.stale();
      return actor.role === 'supervisor' ? all.filter((e) => e.enteredBy === actor.username) : all;
    },
  },
  // --- sharing, FOI, deployments
  {
    method: 'GET',
    url: '/sharing/requests',
    roles: SHARING_VIEWERS,
    summary: 'Sharing requests from other agencies',
    tag: 'sharing',
    handler: (gov, { actor }) => gov.sharing.list(actor),
  },
  {
    method: 'POST',
    url: '/sharing/requests',
    roles: SHARING_CLERKS,
    summary: 'Record a sharing request (immigration-enforcement requests are refused)',
    tag: 'sharing',
    body: s.sharingBody,
    status: 201,
    handler: (gov, { actor, body }) => gov.sharing.request(actor, body as never),
  },
  {
    method: 'POST',
    url: '/sharing/requests/:id/decision',
    roles: SHARING_CLERKS,
    summary: 'Approve or deny a sharing request',
    tag: 'sharing',
    params: s.idParam,
    body: s.decisionBody,
    handler: (gov, { actor, params, body }) => gov.sharing.decide(actor, params.id!, body as never),
  },
  {
    method: 'GET',
    url: '/foi/requests',
    roles: ['records', 'chief', 'auditor'],
    summary: 'Freedom of Information requests',
    tag: 'sharing',
    handler: (gov, { actor }) => gov.sharing.foiList(actor),
  },
  {
    method: 'POST',
    url: '/foi/requests',
    roles: ['records'],
    summary: 'Record an FOI request (the chief is notified)',
    tag: 'sharing',
    body: s.foiBody,
    status: 201,
    handler: (gov, { actor, body }) => gov.sharing.foiRequest(actor, body as never),
  },
  {
    method: 'POST',
    url: '/foi/requests/:id/decision',
    roles: ['chief'],
    summary: "The chief's decision on an FOI request",
    tag: 'sharing',
    params: s.idParam,
    body: s.decisionBody,
    handler: (gov, { actor, params, body }) => gov.sharing.foiDecide(actor, params.id!, body as never),
  },
  {
    method: 'POST',
    url: '/foi/requests/:id/release',
    roles: ['records'],
    summary: 'Release FOI data (only after the chief approved)',
    tag: 'sharing',
    params: s.idParam,
    body: s.empty,
    handler: (gov, { actor, params }) => gov.sharing.foiRelease(actor, params.id!),
  },
  {
    method: 'GET',
    url: '/deployments',
    roles: DEPLOYMENT_VIEWERS,
    summary: 'Non-traditional deployments and their results',
    tag: 'deployments',
    handler: (gov, { actor }) => gov.deployments.list(actor),
  },
  {
    method: 'POST',
    url: '/deployments',
    roles: DEPLOYMENT_REQUESTERS,
    summary: 'Request a special deployment',
    tag: 'deployments',
    body: s.deploymentBody,
    status: 201,
    handler: (gov, { actor, body }) => gov.deployments.request(actor, body as never),
  },
  {
    method: 'POST',
    url: '/deployments/:id/decision',
    roles: DEPLOYMENT_APPROVERS,
    summary: 'Approve or deny a deployment (the chief is notified)',
    tag: 'deployments',
    params: s.idParam,
    body: s.decisionBody,
    handler: (gov, { actor, params, body }) => gov.deployments.decide(actor, params.id!, body as never),
  },
  {
    method: 'POST',
    url: '/deployments/:id/results',
    roles: ['supervisor', 'administrator'],
    summary: 'Record the results of a deployment (significant incidents, arrests)',
    tag: 'deployments',
    params: s.idParam,
    body: s.resultsBody,
    handler: (gov, { actor, params, body }) => gov.deployments.recordResults(actor, params.id!, body as never),
  },
  // --- reports
  {
    method: 'GET',
    url: '/reports/transparency',
    roles: TRANSPARENCY,
    summary: 'The public transparency report (last 30 days, no plate and no person named)',
    tag: 'reports',
    handler: (gov, { actor }) => transparencyReport(gov, actor),
  },
];
