/**
 * The controlled purpose codes every search, export and disclosure must carry (with free text).
 * Investigative purposes also need a case number.
 */
import { InvalidInputError, PolicyError } from '../errors.js';

export const PURPOSES = [
  { code: 'criminal_investigation', label: 'Criminal investigation', needsCase: true },
  { code: 'missing_person', label: 'Missing person or child investigation', needsCase: true },
  { code: 'amber_alert', label: 'AMBER alert in progress', needsCase: false },
  { code: 'hit_verification', label: 'Verifying a hit before a stop', needsCase: false },
  { code: 'officer_safety', label: 'Officer or public safety emergency', needsCase: false },
  { code: 'audit', label: 'Audit of system use', needsCase: false },
  { code: 'records_request', label: 'Records or FOI request', needsCase: false },
  { code: 'administration', label: 'System administration', needsCase: false },
] as const;

export type PurposeCode = (typeof PURPOSES)[number]['code'];
export const PURPOSE_CODES: readonly PurposeCode[] = PURPOSES.map((p) => p.code);

export function isPurposeCode(value: unknown): value is PurposeCode {
  return typeof value === 'string' && (PURPOSE_CODES as readonly string[]).includes(value);
}

/** The reason for an action on ALPR data: a purpose code, free text, and a case number where required. */
export interface Justification {
  purpose: PurposeCode;
  reason: string;
  caseNumber?: string | null;
}

const CASE = /^[A-Za-z0-9][A-Za-z0-9._/-]{2,39}$/;

export function isCaseNumber(value: unknown): value is string {
  return typeof value === 'string' && CASE.test(value);
}

/**
 * Checks a justification; throws a PolicyError naming what is missing (purpose, reason, case number).
 * Returns it normalized (trimmed, caseNumber null when absent).
 */
export function requireJustification(input: Partial<Justification> | undefined): Required<Justification> {
  const purpose = input?.purpose;
  if (!purpose) throw new PolicyError('ERR_PURPOSE_REQUIRED', 'a purpose code is required');
  if (!isPurposeCode(purpose)) {
    throw new InvalidInputError(
      'ERR_BAD_PURPOSE',
      `unknown purpose code '${purpose}' (one of ${PURPOSE_CODES.join(', ')})`,
    );
  }
  const reason = typeof input?.reason === 'string' ? input.reason.trim() : '';
  if (reason.length < 5) throw new PolicyError('ERR_REASON_REQUIRED', 'a reason (at least 5 characters) is required');
  const caseNumber = input?.caseNumber?.trim() || null;
  const def = PURPOSES.find((p) => p.code === purpose)!;
  if (def.needsCase && !caseNumber) {
    throw new PolicyError('ERR_CASE_REQUIRED', `purpose '${purpose}' requires a case number`);
  }
  if (caseNumber !== null && !isCaseNumber(caseNumber)) {
    throw new InvalidInputError(
      'ERR_BAD_CASE_NUMBER',
      `case number '${caseNumber}' is not valid (3-40 letters, digits, . _ / -)`,
    );
  }
  return { purpose, reason, caseNumber };
}
