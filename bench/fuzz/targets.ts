/**
 * Fuzz targets (fast-check properties) for every entry point that takes outside input: the hot-list
 * parsers and importer, the config loader, the image decoder and the HTTP API's bodies. Each property
 * says what must hold for ANY input: no crash, no hang, a clear (named, coded) error for what is
 * rejected, and nothing already stored is lost. The test command runs them with a few hundred cases
 * (test/fuzz.test.ts); `platewatch bench fuzz` runs 100 k cases each.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { buildApi } from '../../src/api/server.js';
import { CATEGORY_IDS } from '../../src/categories.js';
import { defaultConfigPath, parseConfig } from '../../src/config/load.js';
import { ConfigError, ImageInputError, PlatewatchError } from '../../src/errors.js';
import { Governance } from '../../src/governance/Governance.js';
import { HotlistStore } from '../../src/hotlist/HotlistStore.js';
import { importHotlist } from '../../src/hotlist/importHotlist.js';
import { loadMapping } from '../../src/hotlist/mapping.js';
import { CsvLineParser, type ParseResult, parseNcicLine } from '../../src/hotlist/parsers.js';
import { recognize } from '../../src/native.js';
import { configDir } from '../../src/paths.js';

export interface FuzzTarget {
  name: string;
  /** Runs `numRuns` cases; throws (with fast-check's counterexample) when the property fails. */
  run(numRuns: number, seed?: number): Promise<void>;
}

const NCIC_MAPPING = loadMapping(path.join(configDir, 'hotlist', 'ncic.mapping.yaml'));
const CSV_MAPPING = loadMapping(path.join(configDir, 'hotlist', 'csv.mapping.yaml'));
const NOW = Date.parse('2026-11-01T00:00:00Z');

function checkParseResult(r: ParseResult): void {
  if ('skip' in r) return;
  if ('reject' in r) {
    if (typeof r.reject !== 'string' || r.reject.length < 5) throw new Error(`unclear rejection: ${r.reject}`);
    return;
  }
  const e = r.entry;
  if (!/^[A-Z0-9]{1,10}$/.test(e.plate)) throw new Error(`accepted an abnormal plate '${e.plate}'`);
  if (!(CATEGORY_IDS as readonly string[]).includes(e.category)) throw new Error(`bad category ${e.category}`);
  if (!Number.isFinite(e.createdAt)) throw new Error('accepted an entry without a valid date');
}

/** Text that looks like an NCIC line: valid fields with random damage, or random text. */
const ncicLine = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc
    .record({
      plate: fc.stringMatching(/^[A-Z0-9 -]{0,10}$/),
      state: fc.constantFrom('CA', 'NY', '  ', 'X', 'Z9'),
      code: fc.constantFrom('V ', 'W ', 'M ', 'PO', 'AA', 'ZZ', '  ', '??'),
      nic: fc.stringMatching(/^[A-Z0-9]{0,10}$/),
      entered: fc.oneof(fc.constant('20261001'), fc.stringMatching(/^[0-9]{0,8}$/), fc.string({ maxLength: 8 })),
      expires: fc.oneof(fc.constant('        '), fc.constant('20271231'), fc.string({ maxLength: 8 })),
      reason: fc.string({ maxLength: 40 }),
    })
    .map(
      (f) =>
        f.plate.padEnd(10) + f.state + f.code + f.nic.padEnd(10) + f.entered.padEnd(8) + f.expires.padEnd(8) + f.reason,
    ),
);

const csvField = fc.oneof(
  fc.string({ maxLength: 16 }),
  fc.constantFrom('ABC123', '"q,uoted"', '"', 'STOLEN', 'AMBER', 'V', 'CA', ''),
);
const csvLine = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.array(csvField, { maxLength: 9 }).map((fs) => fs.join(',')),
);

function parserTargets(): FuzzTarget[] {
  return [
    {
      name: 'hotlist-ncic-line',
      async run(numRuns, seed) {
        fc.assert(
          fc.property(ncicLine, (line) => checkParseResult(parseNcicLine(line, NCIC_MAPPING, 'FUZZ', NOW))),
          { numRuns, seed },
        );
      },
    },
    {
      name: 'hotlist-csv-line',
      async run(numRuns, seed) {
        fc.assert(
          fc.property(fc.array(csvLine, { maxLength: 6 }), (lines) => {
            const parser = new CsvLineParser(CSV_MAPPING, 'FUZZ', NOW);
            parser.parse('plate,state,category,record_id,reason,expires_at');
            for (const line of lines) checkParseResult(parser.parse(line));
          }),
          { numRuns, seed },
        );
      },
    },
  ];
}

/** Whole files through the importer into a real LMDB store that already holds another source. */
function importTarget(): FuzzTarget {
  return {
    name: 'hotlist-import-file',
    async run(numRuns, seed) {
      const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-fuzz-import-'));
      const store = new HotlistStore(path.join(dir, 'hotlist'));
      try {
        const keep = path.join(dir, 'keep.csv');
        writeFileSync(keep, 'plate,state,category,record_id\nKEEP123,CA,STOLEN,R1\nKEEP456,NY,WARRANT,R2\n');
        await importHotlist(store, { file: keep, source: 'KEEP', format: 'csv', mapping: CSV_MAPPING });
        const file = path.join(dir, 'fuzz.txt');
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom('ncic' as const, 'csv' as const),
            fc.array(fc.oneof(ncicLine, csvLine), { maxLength: 20 }),
            async (format, lines) => {
              writeFileSync(file, lines.join('\n'));
              const mapping = format === 'ncic' ? NCIC_MAPPING : CSV_MAPPING;
              try {
                const summary = await importHotlist(store, { file, source: 'FUZZ', format, mapping });
                if (summary.rejected !== summary.rejections.length && summary.rejections.length < 20) {
                  throw new Error('rejections not all reported');
                }
                for (const r of summary.rejections) if (!(r.line >= 1 && r.reason)) throw new Error('bad rejection');
              } catch (err) {
                if (!(err instanceof PlatewatchError)) throw err;
              }
              // Nothing already loaded is lost, whatever the fuzzed file did.
              if (store.lookup('KEEP123', 'CA', NOW).length !== 1 || store.lookup('KEEP456', 'NY', NOW).length !== 1) {
                throw new Error('an entry of another source was lost');
              }
            },
          ),
          { numRuns, seed },
        );
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Mutations of the default configuration: one key replaced by a random value or removed. */
function configTarget(): FuzzTarget {
  const defaults = parseYaml(readFileSync(defaultConfigPath, 'utf8')) as Record<string, unknown>;
  const paths: string[][] = [];
  const walk = (v: unknown, p: string[]) => {
    if (p.length) paths.push(p);
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, c] of Object.entries(v)) walk(c, [...p, k]);
  };
  walk(defaults, []);
  return {
    name: 'config',
    async run(numRuns, seed) {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.constantFrom(...paths), fc.option(fc.jsonValue({ maxDepth: 2 }))), {
            minLength: 1,
            maxLength: 3,
          }),
          fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 })), { nil: undefined }),
          (edits, extra) => {
            const cfg = structuredClone(defaults) as Record<string, unknown>;
            for (const [p, value] of edits) {
              let o = cfg as Record<string, unknown>;
              for (const k of p.slice(0, -1)) {
                if (!o[k] || typeof o[k] !== 'object') o[k] = {};
                o = o[k] as Record<string, unknown>;
              }
              if (value === null) delete o[p.at(-1)!];
              else o[p.at(-1)!] = value;
            }
            if (extra) Object.assign(cfg, extra);
            try {
              parseConfig(cfg, 'fuzz');
            } catch (err) {
              if (!(err instanceof ConfigError)) throw err;
              if (!/invalid configuration \(fuzz\):\n {2}\S/.test(err.message)) {
                throw new Error(`config error does not name a key: ${err.message}`);
              }
            }
          },
        ),
        { numRuns, seed },
      );
    },
  };
}

/** Random bytes and damaged real images through the native decoder and recognizer. */
function imageTarget(seedImages: Buffer[]): FuzzTarget {
  const damaged = fc
    .tuple(
      fc.constantFrom(...seedImages),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.option(fc.nat(), { nil: undefined }),
    )
    .map(([img, flips, cut]) => {
      const b = Buffer.from(img);
      for (const [pos, byte] of flips) b[pos % b.length] = byte;
      return cut === undefined ? b : b.subarray(0, cut % b.length);
    });
  return {
    name: 'image-decode',
    async run(numRuns, seed) {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.uint8Array({ maxLength: 256 }).map((a) => Buffer.from(a)),
            damaged,
          ),
          async (buf) => {
            try {
              const r = await recognize(buf);
              if (!(r.width > 0 && r.height > 0 && Array.isArray(r.reads))) throw new Error('malformed result');
            } catch (err) {
              if (!(err instanceof ImageInputError) || !err.code.startsWith('ERR_')) throw err;
            }
          },
        ),
        { numRuns, seed },
      );
    },
  };
}

/** Random bodies (and ids) on every API route, as the administrator and as an operator. */
function apiTarget(): FuzzTarget {
  return {
    name: 'api-bodies',
    async run(numRuns, seed) {
      const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-fuzz-api-'));
      const config = (await import('../../src/config/load.js')).loadConfig().governance;
      const gov = new Governance(dir, config, { scryptCost: 1 << 10 });
      const app = await buildApi(gov);
      try {
        const password = 'correct horse battery staple';
        await gov.users.bootstrapAdministrator({
          username: 'admin',
          displayName: 'Admin',
          password,
          trainingDate: '2026-01-15',
        });
        const login = async (username: string) =>
          (await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password } })).json()
            .token as string;
        const admin = { username: 'admin', role: 'administrator' as const, agency: config.agency };
        await gov.users.designate(admin, {
          username: 'operator1',
          displayName: 'Op',
          role: 'operator',
          trainingDate: '2026-02-01',
          password,
          supervisor: null,
        });
        const tokens = [await login('admin'), await login('operator1')];
        const doc = app.swagger() as { paths: Record<string, Record<string, unknown>> };
        const routes = Object.entries(doc.paths).flatMap(([p, ops]) =>
          Object.keys(ops).map((m) => ({ method: m.toUpperCase(), url: p })),
        );
        const usersBefore = gov.users.list(admin).length;
        const body = fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.dictionary(
            fc.constantFrom('username', 'password', 'role', 'reason', 'purpose', 'caseNumber', 'plate', 'state', 'x'),
            fc.jsonValue({ maxDepth: 1 }),
          ),
          fc.string({ maxLength: 64 }),
        );
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...routes),
            body,
            fc.constantFrom(...tokens),
            fc.string({ maxLength: 12 }),
            async (route, payload, token, id) => {
              const url = route.url.replace(/\{\w+\}/g, encodeURIComponent(id) || 'x');
              const raw = typeof payload === 'string';
              const res = await app.inject({
                method: route.method as 'GET',
                url,
                headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
                ...(route.method === 'GET' ? {} : { payload: raw ? payload : JSON.stringify(payload) }),
              });
              if (res.statusCode >= 500) throw new Error(`${route.method} ${url} -> ${res.statusCode}: ${res.body}`);
              if (res.statusCode >= 400) {
                const json = res.json() as { message?: string; error?: string };
                if (!json.message && !json.error) throw new Error(`${route.method} ${url}: error without a message`);
              }
            },
          ),
          { numRuns, seed },
        );
        // Nothing already stored was lost, and the audit chain still verifies.
        if (gov.users.list(admin).length < usersBefore) throw new Error('a user was lost');
        const v = gov.auditLog.verify();
        if (!v.ok) throw new Error(`audit chain broken after fuzzing: ${v.problem}`);
      } finally {
        await app.close();
        await gov.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Every target; `seedImages` are valid encoded images the decoder target damages. */
export function fuzzTargets(seedImages: Buffer[]): FuzzTarget[] {
  return [...parserTargets(), importTarget(), configTarget(), imageTarget(seedImages), apiTarget()];
}
