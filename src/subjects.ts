/**
 * NATS subjects and JetStream stream names: every process boundary of platewatch.
 * Per-category hit subjects let NATS permissions (generated from alert profiles) decide who may
 * receive which category, so a prohibited-category hit cannot reach an unexcepted subscriber.
 */
import type { CategoryId } from './categories.js';

export const SUBJECT_PREFIX = 'platewatch';

/** A hit on the hot list: platewatch.hits.<category>.<camera>. */
export function hitSubject(category: CategoryId, cameraId: string): string {
  return `${SUBJECT_PREFIX}.hits.${category}.${subjectToken(cameraId)}`;
}

/** A plate group (one read per passing vehicle): platewatch.reads.<camera>. */
export function readSubject(cameraId: string): string {
  return `${SUBJECT_PREFIX}.reads.${subjectToken(cameraId)}`;
}

/** Hot-list changes: platewatch.hotlist.<source>. */
export function hotlistSubject(source: string): string {
  return `${SUBJECT_PREFIX}.hotlist.${subjectToken(source)}`;
}

export const STREAMS = {
  hits: { name: 'PLATEWATCH_HITS', subjects: [`${SUBJECT_PREFIX}.hits.>`] },
  reads: { name: 'PLATEWATCH_READS', subjects: [`${SUBJECT_PREFIX}.reads.>`] },
  hotlist: { name: 'PLATEWATCH_HOTLIST', subjects: [`${SUBJECT_PREFIX}.hotlist.>`] },
} as const;

const TOKEN = /^[A-Za-z0-9_-]+$/;

/** A single subject token: camera ids and source names are restricted to letters, digits, _ and -. */
export function subjectToken(value: string): string {
  if (!TOKEN.test(value)) {
    throw new TypeError(`'${value}' cannot be a NATS subject token (letters, digits, _ and - only)`);
  }
  return value;
}
