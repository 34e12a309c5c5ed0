// The software bill of materials: CycloneDX 1.5 JSON of what the product is built from. The npm
// packages come from package-lock.json (each with its version, purl and the lock's SHA-512); the port's
// C parts are the ones the board firmware links: mbedTLS from Debian's source package (its version read
// from the fetched .dsc, else from apt), the wasm2c runtime (wabt), newlib and libgcc of the Arm GNU
// toolchain. The interpreters vendored for the tests (wasm3, WAMR) are listed with scope excluded, as
// the npm dev packages are: they test the product and do not ship in it. The firmware itself is the
// root component, with its SHA-256.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../../boards/paths.js';

export interface CdxComponent {
  'bom-ref': string;
  type: 'application' | 'library' | 'firmware' | 'framework';
  name: string;
  version?: string;
  group?: string;
  purl?: string;
  scope?: 'required' | 'optional' | 'excluded';
  description?: string;
  hashes?: { alg: 'SHA-256' | 'SHA-512'; content: string }[];
  /** SPDX licence IDs or names, or one SPDX expression (CycloneDX: then the only entry) */
  licenses?: ({ license: { id?: string; name?: string } } | { expression: string })[];
  properties?: { name: string; value: string }[];
}

export interface CdxBom {
  bomFormat: 'CycloneDX';
  specVersion: '1.5';
  serialNumber: string;
  version: number;
  metadata: { timestamp: string; tools: { components: CdxComponent[] }; component: CdxComponent };
  components: CdxComponent[];
  dependencies: { ref: string; dependsOn: string[] }[];
}

interface LockPackage {
  name?: string;
  version?: string;
  integrity?: string;
  license?: string;
  dev?: boolean;
  optional?: boolean;
  link?: boolean;
  dependencies?: Record<string, string>;
}

/** The npm packages of package-lock.json (lockfile v2 or v3): one component per installed package. */
export function npmComponents(lockPath = join(REPO_ROOT, 'package-lock.json')): CdxComponent[] {
  const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as { packages?: Record<string, LockPackage> };
  if (!lock.packages) throw new Error(`${lockPath}: no "packages" (lockfile v2 or v3 needed)`);
  const out = new Map<string, CdxComponent>();
  for (const [path, p] of Object.entries(lock.packages)) {
    if (path === '' || p.link || !p.version) continue;
    const name = p.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const [group, bare] = name.startsWith('@') ? name.split('/') : [undefined, name];
    const purl = `pkg:npm/${group ? `${encodeURIComponent(group)}/` : ''}${encodeURIComponent(bare)}@${p.version}`;
    const seen = out.get(purl);
    if (seen) {
      if (!p.dev) seen.scope = 'required'; // installed twice: shipped if either copy is
      continue;
    }
    const c: CdxComponent = {
      'bom-ref': purl,
      type: 'library',
      name: bare,
      version: p.version,
      purl,
      scope: p.dev ? 'excluded' : 'required', // dev tools build and test; they do not ship
    };
    if (group) c.group = group;
    const sha512 = /^sha512-(.+)$/.exec(p.integrity ?? '');
    if (sha512) c.hashes = [{ alg: 'SHA-512', content: Buffer.from(sha512[1], 'base64').toString('hex') }];
    if (p.license)
      c.licenses = [{ license: /^[A-Za-z0-9.+-]+$/.test(p.license) ? { id: p.license } : { name: p.license } }];
    out.set(purl, c);
  }
  return [...out.values()].sort((a, b) => a.purl!.localeCompare(b.purl!));
}

function run(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The Debian version of an installed package, or undefined. */
function debVersion(pkg: string): string | undefined {
  return run('dpkg-query', ['-W', '-f=${Version}', pkg]) || undefined;
}

/** The mbedTLS source version: the fetched .dsc (ports/crypto/get-mbedtls.sh), else apt's candidate. */
export function mbedtlsVersion(root = REPO_ROOT): string | undefined {
  const src = join(root, 'build', 'third_party', 'src');
  if (existsSync(src)) {
    const dsc = readdirSync(src).find((f) => /^mbedtls_.*\.dsc$/.test(f));
    if (dsc) return dsc.replace(/^mbedtls_/, '').replace(/\.dsc$/, '');
  }
  const policy = run('apt-cache', ['policy', 'libmbedcrypto7']);
  return /Candidate: (\S+)/.exec(policy ?? '')?.[1];
}

const debPurl = (name: string, version: string | undefined, arch: string): string =>
  `pkg:deb/debian/${name}${version ? `@${encodeURIComponent(version)}` : ''}?arch=${arch}`;

/** The C parts of the STM32F405 port, with the versions of the Debian packages they come from. */
export function portComponents(root = REPO_ROOT): CdxComponent[] {
  const mbedtls = mbedtlsVersion(root);
  const wabt = debVersion('wabt');
  const newlib = debVersion('libnewlib-arm-none-eabi');
  const gcc = debVersion('gcc-arm-none-eabi');
  const c = (
    name: string,
    version: string | undefined,
    purl: string,
    description: string,
    license: string,
  ): CdxComponent => ({
    'bom-ref': purl,
    type: 'library',
    name,
    ...(version ? { version } : {}),
    purl,
    scope: 'required',
    description,
    licenses: [{ license: { id: license } }],
    properties: [{ name: 'needle-pen:part', value: 'port:stm32f405' }],
  });
  return [
    c(
      'mbedtls',
      mbedtls,
      debPurl('mbedtls', mbedtls, 'source'),
      "ECDSA P-256, SHA-256 and HMAC behind the crypto HAL and in the bootloader, built from Debian's source package (ports/crypto/get-mbedtls.sh)",
      'Apache-2.0',
    ),
    c(
      'wasm2c-runtime',
      wabt,
      debPurl('wabt', wabt, 'source'),
      "wasm2c's translation of the firmware module and its runtime headers (wasm-rt.h), with the heap-free runtime of ports/stm32f405/wasm-rt-mcu.c",
      'Apache-2.0',
    ),
    c(
      'newlib',
      newlib,
      debPurl('newlib', newlib, 'source'),
      'the C library linked into the board firmware (libnewlib-arm-none-eabi)',
      'BSD-3-Clause',
    ),
    c(
      'libgcc',
      gcc,
      debPurl('gcc-arm-none-eabi', gcc, 'source'),
      'compiler support routines of the Arm GNU toolchain linked into the board firmware',
      'GPL-3.0-with-GCC-exception',
    ),
  ];
}

/** the interpreters' sources vendored in third_party/ (their READMEs name the commits) */
export const WASM3_COMMIT = 'c9b579d8c048db71ce2322cf68a0d88ae81684d2';
export const WAMR_COMMIT = '646b5a9bc786bfdb69f01e136706d524d4466120';

/**
 * The vendored interpreters: the host replay harnesses run the release module in them (the two
 * runtimes besides wasm2c a board may use). They test the product and do not ship in it, as the npm
 * dev packages do not: scope excluded.
 */
export function testComponents(): CdxComponent[] {
  const vendored = (
    name: string,
    repo: string,
    commit: string,
    version: string,
    licenses: NonNullable<CdxComponent['licenses']>,
    what: string,
  ): CdxComponent => {
    const purl = `pkg:github/${repo}@${commit}`;
    return {
      'bom-ref': purl,
      type: 'library',
      name,
      version,
      purl,
      scope: 'excluded',
      description: `${what}, vendored in third_party/${name}: the host replay harness runs the release module in it (ports/${name}/replay.c, pen conform --runtime ${name})`,
      licenses,
      properties: [{ name: 'needle-pen:part', value: `test:${name}` }],
    };
  };
  return [
    vendored(
      'wasm3',
      'wasm3/wasm3',
      WASM3_COMMIT,
      `0.5.0-219-g${WASM3_COMMIT.slice(0, 7)}`,
      [{ license: { id: 'MIT' } }],
      'the wasm3 WebAssembly interpreter',
    ),
    vendored(
      'wamr',
      'bytecodealliance/wasm-micro-runtime',
      WAMR_COMMIT,
      `2.4.1-289-g${WAMR_COMMIT.slice(0, 9)}`,
      [{ expression: 'Apache-2.0 WITH LLVM-exception' }],
      "the WebAssembly Micro Runtime's classic interpreter",
    ),
  ];
}

/** The whole SBOM; `firmware` is the release module whose SHA-256 names the root component. */
export function makeSbom(opts: { version: string; firmware?: Buffer; now?: Date; serial?: string }): CdxBom {
  const npm = npmComponents();
  const port = portComponents();
  const tests = testComponents();
  const root: CdxComponent = {
    'bom-ref': 'needle-pen',
    type: 'firmware',
    name: 'needle-pen',
    version: opts.version,
    description: 'microneedling pen firmware (WebAssembly module), its simulator, its STM32F405 port and the pen tools',
    ...(opts.firmware
      ? { hashes: [{ alg: 'SHA-256' as const, content: createHash('sha256').update(opts.firmware).digest('hex') }] }
      : {}),
  };
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockPackage & { devDependencies?: Record<string, string> }>;
  };
  const direct = { ...lock.packages['']?.dependencies, ...lock.packages['']?.devDependencies };
  const refOf = (name: string): string | undefined => {
    const v = lock.packages[`node_modules/${name}`]?.version;
    const c = npm.find((x) => (x.group ? `${x.group}/${x.name}` : x.name) === name && x.version === v);
    return c?.['bom-ref'];
  };
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: opts.serial ?? `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: (opts.now ?? new Date()).toISOString(),
      tools: { components: [{ 'bom-ref': 'pen-sbom', type: 'application', name: 'pen sbom', version: opts.version }] },
      component: root,
    },
    components: [...npm, ...port, ...tests],
    dependencies: [
      {
        ref: root['bom-ref'],
        dependsOn: [
          ...Object.keys(direct)
            .map(refOf)
            .filter((r): r is string => !!r),
          ...port.map((p) => p['bom-ref']),
          ...tests.map((p) => p['bom-ref']),
        ],
      },
    ],
  };
}

/** Checks the structure CycloneDX 1.5 requires of what makeSbom writes; the problems found. */
export function sbomProblems(bom: CdxBom): string[] {
  const p: string[] = [];
  if (bom.bomFormat !== 'CycloneDX') p.push('bomFormat is not CycloneDX');
  if (bom.specVersion !== '1.5') p.push('specVersion is not 1.5');
  if (!/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(bom.serialNumber))
    p.push(`serialNumber ${bom.serialNumber} is not a urn:uuid`);
  if (!Number.isInteger(bom.version) || bom.version < 1) p.push('version must be an integer >= 1');
  const refs = new Set<string>();
  const all = [bom.metadata.component, ...bom.components];
  for (const c of all) {
    if (!c.name) p.push(`a component has no name: ${JSON.stringify(c)}`);
    if (
      ![
        'application',
        'framework',
        'library',
        'container',
        'platform',
        'operating-system',
        'device',
        'device-driver',
        'firmware',
        'file',
        'machine-learning-model',
        'data',
      ].includes(c.type)
    )
      p.push(`${c.name}: type ${c.type} is not a CycloneDX component type`);
    if (refs.has(c['bom-ref'])) p.push(`bom-ref ${c['bom-ref']} is not unique`);
    refs.add(c['bom-ref']);
    if (c.purl && !/^pkg:[a-z]+\/.+/.test(c.purl)) p.push(`${c.name}: purl ${c.purl} is not a package URL`);
    if (c.scope && !['required', 'optional', 'excluded'].includes(c.scope)) p.push(`${c.name}: scope ${c.scope}`);
    for (const h of c.hashes ?? []) {
      const len = { 'SHA-256': 64, 'SHA-512': 128 }[h.alg];
      if (!new RegExp(`^[a-f0-9]{${len}}$`).test(h.content))
        p.push(`${c.name}: ${h.alg} hash is not ${len} hex digits`);
    }
  }
  for (const d of bom.dependencies) {
    if (!refs.has(d.ref)) p.push(`dependency ref ${d.ref} names no component`);
    for (const r of d.dependsOn) if (!refs.has(r)) p.push(`dependsOn ${r} names no component`);
  }
  if (Number.isNaN(Date.parse(bom.metadata.timestamp))) p.push('metadata.timestamp is not a date-time');
  return p;
}
