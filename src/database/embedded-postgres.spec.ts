import { firstClosedDir, type DirMode } from './embedded-postgres';

// root owns everything here; the postgres user is uid 101 in group 104.
const POSTGRES = { uid: 101, gids: [104] };
const dirs =
  (modes: Record<string, Partial<DirMode> & { mode: number }>) =>
  (dir: string): DirMode | null => {
    const found = modes[dir];
    return found === undefined ? null : { uid: 0, gid: 0, ...found };
  };

describe('firstClosedDir', () => {
  it.each<[string, Record<string, Partial<DirMode> & { mode: number }>, string | null]>([
    [
      'every folder open to others',
      { '/': { mode: 0o755 }, '/srv': { mode: 0o755 }, '/srv/app': { mode: 0o755 } },
      null,
    ],
    [
      'a private home on the way',
      { '/': { mode: 0o755 }, '/srv': { mode: 0o700 }, '/srv/app': { mode: 0o755 } },
      '/srv',
    ],
    ['a mktemp -d folder', { '/': { mode: 0o755 }, '/srv': { mode: 0o1777 }, '/srv/app': { mode: 0o700 } }, '/srv/app'],
    [
      'a folder open to the postgres group only',
      { '/': { mode: 0o755 }, '/srv': { mode: 0o750, gid: 104 }, '/srv/app': { mode: 0o755 } },
      null,
    ],
    [
      'a folder the postgres user owns',
      { '/': { mode: 0o755 }, '/srv': { mode: 0o700, uid: 101 }, '/srv/app': { mode: 0o755 } },
      null,
    ],
    ['folders still to be created', { '/': { mode: 0o755 }, '/srv': { mode: 0o755 } }, null],
  ])('%s', (_name, modes, closed) => {
    expect(firstClosedDir('/srv/app', POSTGRES, dirs(modes))).toBe(closed);
  });
});
