import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterEach, describe, expect, it } from 'vitest';
import { rng } from '../bench/lib/plates.js';
import { HotlistError } from '../src/hotlist/HotlistEntry.js';
import { HotlistStore } from '../src/hotlist/HotlistStore.js';
import { importHotlist } from '../src/hotlist/importHotlist.js';
import { ListBuilder } from '../src/hotlist/ListBuilder.js';
import { loadMapping } from '../src/hotlist/mapping.js';
import { NcicLineEncoder } from '../src/hotlist/NcicLineEncoder.js';
import { parseNcicLine } from '../src/hotlist/parsers.js';
import { configDir, packageRoot } from '../src/paths.js';

const NCIC_MAP = path.join(configDir, 'hotlist', 'ncic.mapping.yaml');
const CSV_MAP = path.join(configDir, 'hotlist', 'csv.mapping.yaml');
const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-import-'));
let n = 0;
function file(text: string): string {
  const f = path.join(dir, `list-${++n}.txt`);
  writeFileSync(f, text);
  return f;
}
/** One NCIC fixed-width line. */
function ncic(
  plate: string,
  state: string,
  code: string,
  nic: string,
  entered = '20261101',
  expires = '',
  reason = '',
): string {
  return `${plate.padEnd(10)}${state.padEnd(2)}${code.padEnd(2)}${nic.padEnd(10)}${entered.padEnd(8)}${expires.padEnd(8)}${reason}`;
}

const stores: HotlistStore[] = [];
function openStore(): HotlistStore {
  const s = new HotlistStore(mkdtempSync(path.join(tmpdir(), 'platewatch-importdb-')));
  stores.push(s);
  return s;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

describe('hotlist import', () => {
  it('NCIC fixed width: codes go through the source mapping; bad lines are rejected with line number and reason', async () => {
    const store = openStore();
    const f = file(
      [
        ncic('7ABC123', 'CA', 'V', 'V000000001', '20261101', '', 'stolen from lot'),
        ncic('5XYZ987', 'NV', 'W', 'W000000002'),
        ncic('BAD', 'CA', 'Q', 'X000000003'), // unknown code
        'short line',
        ncic('8SO1234', 'C1', 'V', 'V000000004'), // bad state
        ncic('2SEX001', 'CA', 'SO', 'S000000005', '20261101', '20991231'),
        '',
      ].join('\n'),
    );
    const s = await importHotlist(store, { file: f, source: 'CA_DOJ', format: 'ncic', mapping: NCIC_MAP });
    expect(s).toMatchObject({ total: 3, added: 3, removed: 0, rejected: 3 });
    expect(s.rejections.map((r) => r.line)).toEqual([3, 4, 5]);
    expect(s.rejections[0]!.reason).toMatch(/category code 'Q' is not in the mapping/);
    expect(s.rejections[1]!.reason).toMatch(/too short/);
    expect(s.rejections[2]!.reason).toMatch(/state/);
    const [m] = store.lookup('7ABC123', 'CA');
    expect(m?.entry).toMatchObject({ category: 'stolen_vehicle', recordId: 'V000000001', reason: 'stolen from lot' });
    expect(store.lookup('2SEX001')[0]?.entry.category).toBe('sex_offender');
    expect(store.lookup('2SEX001')[0]?.entry.expiresAt).toBe(Date.UTC(2099, 11, 31));
  });

  it('the same letter means what each source mapping says, never the raw letter', async () => {
    const store = openStore();
    const other = file('categories:\n  V: pd_hotlist\n');
    await importHotlist(store, {
      file: file(ncic('7ABC123', 'CA', 'V', 'N1')),
      source: 'NV_DMV',
      format: 'ncic',
      mapping: other,
    });
    expect(store.lookup('7ABC123')[0]?.entry.category).toBe('pd_hotlist');
  });

  it('CSV with a header, quoted fields, comments; refresh reports added and removed', async () => {
    const store = openStore();
    const head = 'plate,state,category,record_id,reason,entered_at,expires_at\n';
    const first = file(
      `# a comment\n${head}7ABC123,CA,STOLEN,R1,"stolen, red sedan",2026-11-01,\n5XYZ987,NV,WARRANT,R2,,,\n`,
    );
    const a = await importHotlist(store, { file: first, source: 'PD', format: 'csv', mapping: CSV_MAP });
    expect(a).toMatchObject({ total: 2, added: 2, rejected: 0 });
    expect(store.lookup('7ABC123')[0]?.entry.reason).toBe('stolen, red sedan');
    const second = file(`${head}5XYZ987,NV,WARRANT,R2,,,\n4NEW111,CA,AMBER,R3,,,\n"unterminated,CA,AMBER,R4,,,\n`);
    const b = await importHotlist(store, { file: second, source: 'PD', format: 'csv', mapping: CSV_MAP });
    expect(b).toMatchObject({ total: 2, added: 1, removed: 1, rejected: 1 });
    expect(b.rejections[0]).toEqual({ line: 4, reason: 'unbalanced quotes' });
    expect(store.lookup('7ABC123')).toEqual([]);
  });

  it('a file with no valid line, or a missing file, keeps the previous list whole', async () => {
    const store = openStore();
    await importHotlist(store, {
      file: file(ncic('7ABC123', 'CA', 'V', 'N1')),
      source: 'S',
      format: 'ncic',
      mapping: NCIC_MAP,
    });
    const err = await importHotlist(store, {
      file: file('garbage\nmore garbage\n'),
      source: 'S',
      format: 'ncic',
      mapping: NCIC_MAP,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HotlistError);
    expect((err as HotlistError).code).toBe('ERR_HOTLIST_EMPTY');
    const missing = await importHotlist(store, {
      file: path.join(dir, 'nope'),
      source: 'S',
      format: 'ncic',
      mapping: NCIC_MAP,
    }).catch((e: unknown) => e);
    expect((missing as HotlistError).code).toBe('ERR_HOTLIST_FILE');
    expect(store.lookup('7ABC123')).toHaveLength(1);
  });

  it('a mapping to a category that does not exist is refused, naming the code', () => {
    expect(() => loadMapping(file('categories:\n  V: stolen_car\n'))).toThrow(/categories\.V: 'stolen_car'/);
  });

  it('`platewatch hotlist import` prints the summary and rejected lines, exits 1 when lines were rejected; a running reader sees the list', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'platewatch-cli-data-'));
    const cfg = file(`dataDir: ${data}\n`);
    const list = file([ncic('7ABC123', 'CA', 'V', 'N1'), ncic('X', 'CA', 'ZZ', 'N2')].join('\n'));
    const reader = new HotlistStore(path.join(data, 'hotlist')); // as `platewatch run` holds it open
    stores.push(reader);
    expect(reader.lookup('7ABC123')).toEqual([]);
    const run = promisify(execFile);
    const bin = path.join(packageRoot, 'bin', 'platewatch.js');
    const out = await run(process.execPath, [bin, '--config', cfg, 'hotlist', 'import', list, '--source', 'CA_DOJ'], {
      cwd: packageRoot,
    }).catch((e: { stdout: string; code: number }) => e);
    expect((out as { code?: number }).code).toBe(1);
    expect(out.stdout).toMatch(/CA_DOJ: 1 entries loaded from 2 line\(s\).*1 added, 0 removed, 1 rejected/);
    expect(out.stdout).toMatch(/line 2: category code 'ZZ'/);
    // The import ran in another process: the open reader sees the new list at its next lookup.
    expect(reader.lookup('7ABC123')[0]?.entry.source).toBe('CA_DOJ');
  });
});

describe('NCIC byte parser (NcicLineEncoder)', () => {
  it('gives the string parser’s entries and rejection reasons for plain and mutated lines, plain ones without it', () => {
    const mapping = loadMapping(NCIC_MAP);
    const now = Date.UTC(2026, 10, 29, 12);
    const fast = new ListBuilder(path.join(dir, 'fast'), 1 << 30);
    const slow = new ListBuilder(path.join(dir, 'slow'), 1 << 30);
    const enc = new NcicLineEncoder(fast, mapping, 'CA_DOJ', now);
    const r = rng(11);
    const pick = <T>(a: ArrayLike<T>) => a[Math.floor(r() * a.length)]!;
    const AL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const NOISE = [' ', '\t', 'a', 'o', '-', '#', '\u00e9', '\u00a0', '0', 'Z', '\r', '"', 'q'];
    let plainFast = 0;
    let plain = 0;
    const differ: unknown[] = [];
    for (let i = 0; i < 8000; i++) {
      let plate = '';
      for (let k = 1 + Math.floor(r() * 8); k > 0; k--) plate += pick(AL);
      const state = pick(['CA', 'NV', '', 'ca', 'C1']);
      const code = pick(['V', 'W', 'PO', 'SO', 'v', 'Q', '', ' V', 'AA']);
      const entered = pick(['20261101', '', '20260230', '2026-11-01', '19991231']);
      const expires = pick(['', '20991231', '2099123X', '00000000']);
      const reason = pick(['', 'stolen from lot', '  padded  ', 'Café', 'x'.repeat(300)]);
      let line = ncic(plate, state, code, `N${i}`, entered, expires, reason);
      const mutated = r() < 0.4;
      if (mutated) {
        const chars = [...line];
        for (let m = 1 + Math.floor(r() * 3); m > 0; m--) chars[Math.floor(r() * chars.length)] = pick(NOISE);
        line = chars.join('');
        if (r() < 0.2) line = line.slice(0, Math.floor(r() * line.length));
      }
      const buf = Buffer.from(line, 'latin1');
      const got = enc.add(buf, 0, buf.length);
      const want = parseNcicLine(line, mapping, 'CA_DOJ', now);
      if ('entry' in want) slow.addEntry(want.entry);
      if (got === undefined ? !('entry' in want) : JSON.stringify(got) !== JSON.stringify(want)) {
        differ.push({ line, got, want });
      }
      const isPlain =
        !mutated &&
        /^[A-Z0-9]+$/.test(plate) &&
        ['CA', 'NV', ''].includes(state) &&
        ['V', 'W', 'PO', 'SO', 'AA'].includes(code);
      if (isPlain && /^(\d{8})?$/.test(entered) && /^(\d{8})?$/.test(expires) && reason !== 'Café') {
        plain++;
        if (got === undefined) plainFast++;
      }
    }
    expect(differ).toEqual([]);
    expect(plain).toBeGreaterThan(500);
    expect(plainFast).toBe(plain);
    const a = [...fast.buckets()].map((b) => [b.bucket, b.value.toString('latin1'), b.entries]);
    const b = [...slow.buckets()].map((b) => [b.bucket, b.value.toString('latin1'), b.entries]);
    expect(a.length).toBeGreaterThan(100);
    expect(a).toEqual(b);
  });

  it('CR LF line ends, a last line without a line break and a line longer than the read buffer all load', async () => {
    const store = openStore();
    const long = ncic('9LONG99', 'CA', 'V', 'L1', '20261101', '', 'r'.repeat(5 << 20));
    const f = file(`${ncic('1CRLF11', 'CA', 'V', 'C1')}\r\n${long}\r\n${ncic('2LAST22', 'NV', 'W', 'E1')}`);
    const s = await importHotlist(store, { file: f, source: 'CA_DOJ', format: 'ncic', mapping: NCIC_MAP });
    expect(s).toMatchObject({ total: 3, rejected: 0, lines: 3 });
    expect(store.lookup('1CRLF11')[0]?.entry.recordId).toBe('C1');
    expect(store.lookup('9LONG99')[0]?.entry.reason).toHaveLength(5 << 20);
    expect(store.lookup('2LAST22')[0]?.entry.state).toBe('NV');
  });
});

describe('parallel NCIC import', () => {
  it('two parse threads give the same list, counts and rejected line numbers as one', async () => {
    const rows: string[] = [];
    for (let i = 0; i < 3000; i++) {
      if (i % 211 === 5)
        rows.push(ncic(`Q${i}`, 'CA', 'ZZ', `N${i}`)); // unknown code
      else if (i % 307 === 9) rows.push('short');
      else
        rows.push(ncic(`P${String(i).padStart(5, '0')}`, i % 2 ? 'CA' : 'NV', 'V', `N${i}`, '20261101', '', `r ${i}`));
    }
    rows.push(rows[10]!); // a repeat
    const f = file(rows.join('\n'));
    const one = openStore();
    const two = openStore();
    const opts = { file: f, source: 'CA_DOJ', format: 'ncic', mapping: NCIC_MAP } as const;
    const a = await importHotlist(one, { ...opts, parallelMinBytes: Number.POSITIVE_INFINITY });
    const b = await importHotlist(two, { ...opts, parallelMinBytes: 0 });
    expect(a.parseThreads).toBe(1);
    expect(b.parseThreads).toBe(2);
    const pick = (s: typeof a) => [s.total, s.lines, s.rejected, s.duplicates, s.rejections];
    expect(pick(b)).toEqual(pick(a));
    expect(a.rejections.length).toBeGreaterThan(20);
    expect(a.rejections.some((r) => r.line > 1500)).toBe(true);
    const all = (s: HotlistStore) => [...s.entries('CA_DOJ')].map((e) => JSON.stringify(e)).sort();
    expect(all(two)).toEqual(all(one));
    expect(two.lookup('P02999')[0]?.entry.reason).toBe('r 2999');
    // Both threads spilling to files past a small memory budget.
    const three = new HotlistStore(mkdtempSync(path.join(tmpdir(), 'platewatch-importdb-')), { spillBytes: 4000 });
    stores.push(three);
    const c = await importHotlist(three, { ...opts, parallelMinBytes: 0 });
    expect(c.parseThreads).toBe(2);
    expect(pick(c)).toEqual(pick(a));
    expect(all(three)).toEqual(all(one));
  });
});
