// Writes every file that abi/pen-abi.ts is the source of: the firmware's constants, name lists and
// HAL imports, the C header for ports, and the tables in the docs. `npm run gen` runs it;
// tests/sim/abi-dictionary.test.ts fails when a written file differs from what it would write now.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as abi from '../../abi/pen-abi.js';
import type { Code } from '../../abi/pen-abi.js';
import { REPO_ROOT } from '../../boards/paths.js';

const MARK = 'Generated from abi/pen-abi.ts by `npm run gen`. Do not edit: change the dictionary.';

/** Codes 0..n-1 in order, so that code i is field i of a name list. */
function contiguous(table: readonly Code[], what: string, from = 0): string[] {
  table.forEach((c, i) => {
    if (c.code !== i + from) throw new Error(`${what}: ${c.name} has code ${c.code}, expected ${i + from} (name lists need codes in order)`);
  });
  return table.map((c) => c.name);
}

function asConstants(): string {
  const out: string[] = [`// ${MARK}`, '// The firmware\'s shared codes and tables; docs/hal-abi.md and docs/serial-protocol.md explain them.', ''];
  const i32 = (name: string, v: number, doc: string): void => {
    out.push(`/** ${doc} */`, `export const ${name}: i32 = ${v};`);
  };
  const hex = (v: number): string => (v >= 16 ? `0x${v.toString(16)}` : String(v));
  const group = (title: string, table: readonly Code[], bits = false): void => {
    out.push('', `// ${title}`);
    for (const c of table) out.push(`export const ${c.constant}: i32 = ${bits ? hex(c.code) : c.code}; // ${c.doc}`);
  };
  i32('HAL_ABI_VERSION', abi.HAL_ABI_VERSION, 'HAL ABI version this module implements');
  group('step_queue_push flags', abi.SEGMENT_FLAGS, true);
  group('step_queue_status bits', abi.QUEUE_STATUS, true);
  group('driver_status bits', abi.DRIVER_STATUS, true);
  group('encoder_count selectors', abi.ENCODER_READS);
  group('encoder_status values', abi.ENCODER_STATUS);
  group('buttons_raw bits', abi.BUTTONS, true);
  out.push(`export const BTN_COUNT: i32 = ${abi.BUTTONS.length};`);
  group('crypto key IDs', abi.CRYPTO_KEYS);
  i32('CRYPTO_VOLATILE_KEYS', abi.CRYPTO_VOLATILE_KEYS, 'volatile key slots (crypto_key_import), from KEY_ID_VOLATILE on');
  i32('CRYPTO_MAX_OPERATIONS', abi.CRYPTO_MAX_OPERATIONS, 'crypto operations open at once');
  i32('CRYPTO_MAX_MESSAGE_BYTES', abi.CRYPTO_MAX_MESSAGE_BYTES, 'the longest message a hash or a check takes');
  group('crypto results', abi.CRYPTO_RESULTS);
  group('reset_cause values', abi.RESET_CAUSES);
  group('indicator_set patterns (low byte)', abi.INDICATORS);
  out.push(`export const IND_FAULT_CODE_SHIFT: i32 = ${abi.IND_FAULT_CODE_SHIFT}; // a fault pattern carries the fault code from this bit`);
  group('states', abi.STATES);
  group('faults', abi.FAULTS);
  group('clamps: why the asked rate was lowered', abi.CLAMPS);
  group('cap sources: whose depth cap is in force', abi.CAP_SOURCES);
  group('treatment zones', abi.ZONES);
  out.push(`export const ZONE_COUNT: i32 = ${abi.ZONES.length}; // with ZONE_NONE`);
  out.push('/** depth cap per zone (um); a static array literal: it carries its length, so an index is bounds-checked */');
  out.push(`export const ZONE_CAP_UM: StaticArray<i32> = [${abi.ZONES.map((z) => z.capUm).join(', ')}];`);
  group('modes', abi.MODES);
  out.push(`export const MODE_COUNT: i32 = ${abi.MODES.length};`);
  out.push('/** depth cap per mode (um) */');
  out.push(`export const MODE_CAP_UM: StaticArray<i32> = [${abi.MODES.map((m) => m.capUm).join(', ')}];`);
  group('results of changing a setting', abi.SET_RESULTS);
  group('results of user commands', abi.COMMAND_RESULTS);
  group('cartridge states', abi.CARTRIDGE_STATES);
  group('cartridge refusals', abi.REFUSALS);
  group('serial protocol error codes (ERR <code>)', abi.SERIAL_ERRORS);
  group('treatment log record types', abi.LOG_RECORDS);
  for (const r of abi.LOG_RECORDS) out.push(`export const ${r.constant.replace(/^REC_/, '')}_WORDS: i32 = ${r.words}; // payload words of a ${r.name} record`);
  group('how a treatment log segment was closed', abi.SEGMENT_ENDS);
  group('treatment log events', abi.LOG_EVENTS);
  group('why an AUTH attempt failed or a challenge was refused (a log event detail)', abi.AUTH_FAILURES);
  for (const [k, v] of Object.entries(abi.LICENCE)) {
    const name = k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
    const count = k === 'penSlots' || k === 'bytes';
    i32(`LICENCE_${name}${count ? '' : '_AT'}`, v, count ? `clinic licence: ${k}` : `clinic licence: offset of ${k}`);
  }
  i32('LICENCE_FORMAT', abi.LICENCE_FORMAT, 'the clinic licence format this firmware reads');
  i32('CHALLENGE_BYTES', abi.CHALLENGE_BYTES, 'bytes of an unlock challenge');
  out.push(`/** ${'the earliest time a set clock can read (s since 1970): behind it, the clock lost its time'} */`, `export const EARLIEST_CLOCK_S: u32 = ${abi.EARLIEST_CLOCK_S};`);
  out.push("/** the maker's revocation list: licence serials no pen accepts */");
  out.push(`export const REVOKED_LICENCES: StaticArray<u32> = [${abi.REVOKED_LICENCES.join(', ')}];`);
  return out.join('\n') + '\n';
}

function asNames(): string {
  const list = (table: readonly Code[], what: string, from = 0): string => contiguous(table, what, from).join('|');
  const zones = list(abi.ZONES.slice(1), 'zones', 1);
  const modes = list(abi.MODES, 'modes');
  // literal calls: the build stores each list once in the text table (tools/build/text-table.ts)
  return `// ${MARK}
// Names of the firmware's codes as the serial protocol writes and reads them.
import { put, putField, wordIn } from "./textio";

export function putState(s: i32): void { putField("${list(abi.STATES, 'states')}", s); }
export function putFault(f: i32): void { putField("${list(abi.FAULTS, 'faults')}", f); }
export function putClamp(c: i32): void { putField("${list(abi.CLAMPS, 'clamps')}", c); }
export function putRefusal(r: i32): void { putField("${list(abi.REFUSALS, 'refusals')}", r); }
export function putAuthFailure(r: i32): void { putField("${list(abi.AUTH_FAILURES, 'auth failures')}", r); }
export function putCapSource(c: i32): void { putField("${list(abi.CAP_SOURCES, 'cap sources')}", c); }
/** zone 0 is none */
export function putZone(z: i32): void {
  if (z == 0) put("${abi.ZONES[0].name}");
  else putField("${zones}", z - 1);
}
/** the zone named by the next word of the line, 0 when it names none */
export function zoneWord(): i32 { return wordIn("${zones}") + 1; }
/** all zone names, for the reply to an unknown one */
export function putZoneList(): void { put("${zones}"); }
export function putMode(m: i32): void { putField("${modes}", m); }
/** the mode named by the next word of the line, -1 when it names none */
export function modeWord(): i32 { return wordIn("${modes}"); }
/** all mode names, for the reply to an unknown one */
export function putModeList(): void { put("${modes}"); }
`;
}

function asHal(): string {
  const out = [
    `// ${MARK}`,
    '// HAL ABI imports: the only way the firmware touches hardware. docs/hal-abi.md is the contract;',
    '// every runtime (the simulator, a board port) implements exactly this list.',
    '',
  ];
  for (const c of abi.HAL_CALLS) {
    const params = c.params.map(([n, t]) => `${n}: ${t}`).join(', ');
    out.push(`/** ${c.brief} */`);
    out.push(`@external("hal", "${c.name}") export declare function ${c.name}(${params}): ${c.ret};`);
  }
  return out.join('\n') + '\n';
}

function cHeader(): string {
  const out = [`/* ${MARK} */`, '/* The HAL ABI\'s codes for C ports (docs/hal-abi.md). */', '#ifndef PEN_ABI_H', '#define PEN_ABI_H', ''];
  out.push(`#define PEN_HAL_ABI_VERSION ${abi.HAL_ABI_VERSION}`);
  const group = (title: string, table: readonly Code[]): void => {
    out.push('', `/* ${title} */`, 'enum {');
    for (const c of table) out.push(`  ${c.constant} = ${c.code}, /* ${c.doc.replace(/\*\//g, '')} */`);
    out.push('};');
  };
  group('step_queue_push flags', abi.SEGMENT_FLAGS);
  group('step_queue_status bits', abi.QUEUE_STATUS);
  group('driver_status bits', abi.DRIVER_STATUS);
  group('encoder_count selectors', abi.ENCODER_READS);
  group('encoder_status values', abi.ENCODER_STATUS);
  group('buttons_raw bits', abi.BUTTONS);
  group('crypto key IDs', abi.CRYPTO_KEYS);
  out.push(`#define CRYPTO_VOLATILE_KEYS ${abi.CRYPTO_VOLATILE_KEYS}`);
  out.push(`#define CRYPTO_MAX_OPERATIONS ${abi.CRYPTO_MAX_OPERATIONS}`);
  out.push(`#define CRYPTO_MAX_MESSAGE_BYTES ${abi.CRYPTO_MAX_MESSAGE_BYTES}`);
  group('crypto results', abi.CRYPTO_RESULTS);
  group('reset_cause values', abi.RESET_CAUSES);
  group('indicator_set patterns (low byte)', abi.INDICATORS);
  out.push(`#define IND_FAULT_CODE_SHIFT ${abi.IND_FAULT_CODE_SHIFT}`);
  group('states (report_state)', abi.STATES);
  group('faults (report_state)', abi.FAULTS);
  out.push('', '/* HAL imports, in recording order (the index is the opcode) */', '#define PEN_HAL_CALLS(X) \\');
  abi.HAL_CALLS.forEach((c, i) => out.push(`  X(${i}, ${c.name}, ${c.params.length}, ${c.ret})${i + 1 < abi.HAL_CALLS.length ? ' \\' : ''}`));
  out.push(`#define PEN_HAL_CALL_COUNT ${abi.HAL_CALLS.length}`);
  out.push('', '#endif', '');
  return out.join('\n');
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

function importsTable(): string {
  const rows = abi.HAL_CALLS.map((c) => {
    const sig = `${c.name}(${c.params.map(([n]) => n).join(', ')})${c.ret === 'void' ? '' : ` -> ${c.ret}`}`;
    const imported = c.imported === false ? ' Not imported by the release module; every runtime provides it all the same.' : '';
    const stop = imported && !/[.!?]$/.test(c.behaviour) ? '.' : '';
    return `| \`${sig}\` | ${cell(c.units)} | ${cell(c.behaviour)}${stop}${imported} |`;
  });
  return ['| function | units and range | behaviour and errors |', '|---|---|---|', ...rows].join('\n');
}

function exportsTable(): string {
  const rows = abi.EXPORTS.map((e) => `| \`${e.signature}\` | ${cell(e.meaning)} |`);
  return ['| function | meaning |', '|---|---|', ...rows].join('\n');
}

function faultsTable(): string {
  const rows = abi.FAULTS.filter((f) => f.code !== 0).map((f) => `| ${f.code} | \`${f.name}\` | ${cell(f.cause)} | ${cell(f.action)} |`);
  return ['| code | name | cause | what the firmware does |', '|---|---|---|---|', ...rows].join('\n');
}

function codesTable(): string {
  const rows: string[] = [];
  const add = (what: string, table: readonly Code[]): void => {
    rows.push(`| ${what} | ${table.map((c) => `${c.code} \`${c.name}\``).join(', ')} |`);
  };
  add('`step_queue_push` flags', abi.SEGMENT_FLAGS);
  add('`step_queue_status` bits', abi.QUEUE_STATUS);
  add('`driver_status` bits', abi.DRIVER_STATUS);
  add('`encoder_count` selectors', abi.ENCODER_READS);
  add('`encoder_status` values', abi.ENCODER_STATUS);
  add('`buttons_raw` bits', abi.BUTTONS);
  add('crypto key IDs', abi.CRYPTO_KEYS);
  add('crypto results', abi.CRYPTO_RESULTS);
  add('`reset_cause`', abi.RESET_CAUSES);
  add('`indicator_set` (low byte)', abi.INDICATORS);
  add('`report_state` state', abi.STATES);
  add('`report_setting` clamp', abi.CLAMPS);
  return ['| where | codes |', '|---|---|', ...rows].join('\n');
}

function errorsTable(): string {
  const rows = abi.SERIAL_ERRORS.map((e) => `| ${e.code} | ${cell(e.doc)} | \`${cell(e.example)}\` |`);
  return ['| code | meaning | example |', '|---|---|---|', ...rows].join('\n');
}

function namesTable(): string {
  const row = (what: string, table: readonly Code[]): string => `| ${what} | ${table.map((c) => `\`${c.name}\``).join(', ')} |`;
  return [
    '| field | values |',
    '|---|---|',
    row('`state=`', abi.STATES),
    row('`fault=`', abi.FAULTS),
    row('`clamp=`, `clamped=`', abi.CLAMPS),
    row('`zone=`', abi.ZONES),
    row('`mode=`', abi.MODES),
    row('`cartridge=refused:`', abi.REFUSALS.slice(1)),
  ].join('\n');
}

/** Replaces the text between `<!-- name -->` and the next `<!-- end -->`. */
function fill(doc: string, file: string, name: string, body: string): string {
  const open = `<!-- ${name} -->`;
  const start = doc.indexOf(open);
  const end = start < 0 ? -1 : doc.indexOf('<!-- end -->', start);
  if (start < 0 || end < 0) throw new Error(`${file}: no "${open}" ... "<!-- end -->" section to fill`);
  return `${doc.slice(0, start)}${open}\n<!-- ${MARK} -->\n${body}\n${doc.slice(end)}`;
}

/** Every generated file (path relative to the repository root) with the content it should have now. */
export function generatedFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  files.set('assembly/abi.ts', asConstants());
  files.set('assembly/names.ts', asNames());
  files.set('assembly/hal.ts', asHal());
  files.set('ports/pen_abi.h', cHeader());
  const read = (f: string): string => readFileSync(join(root, f), 'utf8');
  let hal = read('docs/hal-abi.md');
  hal = hal.replace(/^# HAL ABI, version \d+/m, `# HAL ABI, version ${abi.HAL_ABI_VERSION}`);
  hal = fill(hal, 'docs/hal-abi.md', 'exports', exportsTable());
  hal = fill(hal, 'docs/hal-abi.md', 'imports', importsTable());
  hal = fill(hal, 'docs/hal-abi.md', 'codes', codesTable());
  hal = fill(hal, 'docs/hal-abi.md', 'faults', faultsTable());
  files.set('docs/hal-abi.md', hal);
  let proto = read('docs/serial-protocol.md');
  proto = fill(proto, 'docs/serial-protocol.md', 'names', namesTable());
  proto = fill(proto, 'docs/serial-protocol.md', 'errors', errorsTable());
  files.set('docs/serial-protocol.md', proto);
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [file, text] of generatedFiles(REPO_ROOT)) {
    const path = join(REPO_ROOT, file);
    let old = '';
    try { old = readFileSync(path, 'utf8'); } catch { /* new file */ }
    if (old !== text) { writeFileSync(path, text); console.log(`wrote ${file}`); }
  }
}
