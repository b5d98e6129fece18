/** JSON Schemas of the API's request bodies, queries and parameters (validated by Fastify, published as OpenAPI). */
import { CATEGORY_IDS } from '../categories.js';
import { MANUAL_REASONS } from '../governance/ManualEntries.js';
import { PURPOSE_CODES } from '../governance/purposes.js';
import { ROLES } from '../governance/roles.js';
import { CONFIRMATION_SYSTEMS, DISPOSITIONS } from '../hits/HitReview.js';
import { DEPLOYMENT_KINDS } from '../sharing/DeploymentService.js';
import { SHARING_PURPOSES } from '../sharing/SharingService.js';

type Schema = Record<string, unknown>;

const str = (minLength = 1, maxLength = 2000): Schema => ({ type: 'string', minLength, maxLength });
const time: Schema = {
  anyOf: [{ type: 'string', format: 'date-time' }, { type: 'string', format: 'date' }, { type: 'integer' }],
};

export function object(properties: Record<string, Schema>, required: string[] = []): Schema {
  return { type: 'object', additionalProperties: false, properties, required };
}

export const empty = object({});

/** A purpose code, free-text reason and case number: what every search, export or audit read carries. */
export const justification = {
  purpose: { type: 'string', enum: [...PURPOSE_CODES] },
  reason: str(0, 500),
  caseNumber: { anyOf: [{ type: 'string', maxLength: 40 }, { type: 'null' }] },
};

export const idParam = object({ id: str(1, 100) }, ['id']);
export const usernameParam = object({ username: str(1, 64) }, ['username']);
export const caseParam = object({ caseNumber: str(1, 40) }, ['caseNumber']);

export const loginBody = object({ username: str(1, 64), password: str(1, 256) }, ['username', 'password']);
export const passwordBody = object({ currentPassword: str(1, 256), newPassword: str(1, 256) }, [
  'currentPassword',
  'newPassword',
]);
export const resetPasswordBody = object({ newPassword: str(1, 256) }, ['newPassword']);
export const profileBody = object(
  { categories: { type: 'array', items: { type: 'string', enum: [...CATEGORY_IDS] }, minItems: 1, maxItems: 20 } },
  ['categories'],
);
export const designateBody = object(
  {
    username: str(3, 32),
    displayName: str(1, 100),
    role: { type: 'string', enum: [...ROLES] },
    trainingDate: { type: 'string', format: 'date' },
    password: str(1, 256),
    supervisor: { anyOf: [str(3, 32), { type: 'null' }] },
  },
  ['username', 'displayName', 'role', 'trainingDate', 'password'],
);
export const updateUserBody = object({
  role: { type: 'string', enum: [...ROLES] },
  trainingDate: { type: 'string', format: 'date' },
  supervisor: { anyOf: [str(3, 32), { type: 'null' }] },
  active: { type: 'boolean' },
});
export const exceptionBody = object(
  {
    username: str(1, 64),
    category: { type: 'string', enum: [...CATEGORY_IDS] },
    purpose: { type: 'string', enum: [...PURPOSE_CODES] },
    justification: str(1, 2000),
    caseNumber: str(1, 40),
    expiresAt: time,
  },
  ['username', 'category', 'purpose', 'justification', 'caseNumber', 'expiresAt'],
);
export const auditRecordsBody = object(
  {
    user: str(1, 64),
    action: str(1, 64),
    filterPurpose: str(1, 64),
    outcome: { type: 'string', enum: ['allowed', 'refused', 'failed'] },
    from: time,
    to: time,
    limit: { type: 'integer', minimum: 1, maximum: 10000 },
    ...justification,
  },
  ['purpose', 'reason'],
);
export const auditReportBody = object(
  { from: time, to: time, by: { type: 'string', enum: ['user', 'purpose', 'action'] }, ...justification },
  ['from', 'to', 'by', 'purpose', 'reason'],
);
export const historyBody = object(
  {
    query: object({
      plate: str(1, 12),
      cameraId: str(1, 64),
      from: time,
      to: time,
      limit: { type: 'integer', minimum: 1, maximum: 1000 },
    }),
    ...justification,
  },
  ['query', 'purpose', 'reason'],
);
export const dispositionBody = object({ disposition: str(3, 200), reason: str(1, 500) }, ['disposition', 'reason']);
export const hitsQuery = object({
  status: { type: 'string', enum: ['pending', 'stop_authorized', 'closed'] },
  limit: { type: 'integer', minimum: 1, maximum: 500 },
});
export const verifyBody = object(
  {
    charactersVerified: { type: 'boolean' },
    stateVerified: { type: 'boolean' },
    system: { type: 'string', enum: [...CONFIRMATION_SYSTEMS] },
    reference: str(1, 64),
  },
  ['charactersVerified', 'stateVerified', 'system', 'reference'],
);
export const hitDispositionBody = object(
  { disposition: { type: 'string', enum: [...DISPOSITIONS] }, notes: { anyOf: [str(0, 2000), { type: 'null' }] } },
  ['disposition'],
);
export const manualEntryBody = object(
  {
    plate: str(1, 12),
    state: str(2, 2),
    category: { type: 'string', enum: [...CATEGORY_IDS] },
    reason: { type: 'string', enum: [...MANUAL_REASONS] },
    details: str(1, 2000),
    cjisReference: str(1, 64),
    expiresAt: time,
    caseNumber: { anyOf: [str(1, 40), { type: 'null' }] },
  },
  ['plate', 'state', 'category', 'reason', 'details', 'cjisReference', 'expiresAt'],
);
export const reasonBody = object({ reason: str(1, 500) }, ['reason']);
export const sharingBody = object(
  {
    agency: str(1, 200),
    mouReference: str(1, 100),
    purpose: { type: 'string', enum: [...SHARING_PURPOSES] },
    requester: str(1, 200),
    description: str(1, 2000),
    caseNumber: { anyOf: [str(1, 40), { type: 'null' }] },
  },
  ['agency', 'mouReference', 'purpose', 'requester', 'description'],
);
export const decisionBody = object({ approve: { type: 'boolean' }, reason: str(1, 2000) }, ['approve', 'reason']);
export const foiBody = object(
  { requester: str(1, 200), description: str(1, 2000), receivedOn: { type: 'string', format: 'date' } },
  ['requester', 'description', 'receivedOn'],
);
export const deploymentBody = object(
  {
    kind: { type: 'string', enum: [...DEPLOYMENT_KINDS] },
    description: str(1, 2000),
    location: str(1, 500),
    start: time,
    end: time,
    caseNumber: { anyOf: [str(1, 40), { type: 'null' }] },
  },
  ['kind', 'description', 'location', 'start', 'end'],
);
export const resultsBody = object(
  {
    significantIncidents: { type: 'integer', minimum: 0 },
    arrests: { type: 'integer', minimum: 0 },
    notes: str(0, 2000),
  },
  ['significantIncidents', 'arrests', 'notes'],
);
