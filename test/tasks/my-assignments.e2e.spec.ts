import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset, type DatasetFixture } from '../support/fixtures';
import { gql } from '../support/gql';
import { signIn } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { answersFor, claim, release, submit } from './labeler';

interface Page {
  totalCount: number;
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
  edges: { cursor: string; node: { id: string; status: string } }[];
}

// A labeler's own work, newest first, every status merged into one list (one ordered index range
// per status, since no index orders a worker's assignments across statuses), or one status.
describe('myAssignments', () => {
  let app: TestApp;
  let fixture: DatasetFixture;
  let token: string;
  // Oldest first, as the labeler made them.
  const made: { id: string; status: string }[] = [];

  beforeAll(async () => {
    app = await startTestApp({ role: 'api' });
    fixture = await createOpenDataset(app.dataSource, { items: 30, itemsPerTask: 5 });
    await app.app.get(TaskSplitService).split(fixture.datasetId);
    token = (await signIn(app)).token;
    // Statuses interleaved in time, so a page must merge them: released, submitted, released,
    // submitted, and the live lease last.
    for (const then of ['RELEASED', 'SUBMITTED', 'RELEASED', 'SUBMITTED', 'ACTIVE']) {
      const { assignment } = await claim(app, token, fixture.datasetId);
      if (then === 'RELEASED') expect((await release(app, token, assignment!.id)).data?.releaseAssignment).toBe(true);
      if (then === 'SUBMITTED')
        expect((await submit(app, token, assignment!.id, answersFor(assignment!, fixture))).errors).toBeUndefined();
      made.push({ id: assignment!.id, status: then });
    }
  });
  afterAll(() => app.close());

  async function page(args: { first: number; after?: string | null; status?: string }): Promise<Page> {
    const res = await gql(app, {
      query: `query($f: Int, $a: String, $s: AssignmentStatus) {
        myAssignments(first: $f, after: $a, status: $s) {
          totalCount pageInfo { endCursor hasNextPage } edges { cursor node { id status } } } }`,
      variables: { f: args.first, a: args.after ?? null, s: args.status ?? null },
      token,
    });
    expect(res.errors).toBeUndefined();
    return res.data!.myAssignments as Page;
  }

  async function walk(args: { first: number; status?: string }): Promise<{ pages: Page[]; ids: string[] }> {
    const pages: Page[] = [];
    let after: string | null = null;
    do {
      const p = await page({ ...args, after });
      pages.push(p);
      after = p.pageInfo.hasNextPage ? p.pageInfo.endCursor : null;
    } while (after);
    return { pages, ids: pages.flatMap((p) => p.edges.map((e) => e.node.id)) };
  }

  it('pages through every status newest first, each row once, with the count of all', async () => {
    const { pages, ids } = await walk({ first: 2 });
    expect(ids).toEqual([...made].reverse().map((m) => m.id));
    expect(pages.map((p) => p.edges.map((e) => e.node.status))).toEqual([
      ['ACTIVE', 'SUBMITTED'],
      ['RELEASED', 'SUBMITTED'],
      ['RELEASED'],
    ]);
    expect(pages.map((p) => p.totalCount)).toEqual([5, 5, 5]);
  });

  it('pages through one status alone, with its own count', async () => {
    const { pages, ids } = await walk({ first: 1, status: 'RELEASED' });
    expect(ids).toEqual(
      made
        .filter((m) => m.status === 'RELEASED')
        .reverse()
        .map((m) => m.id),
    );
    expect(pages.map((p) => p.totalCount)).toEqual([2, 2]);
  });

  it("carries the row's creation time to the microsecond in its cursor, so rows of one millisecond are not skipped", async () => {
    const first = await page({ first: 1 });
    const [at, id] = Buffer.from(first.edges[0].cursor, 'base64url').toString('utf8').split('|');
    const [row] = (await app.dataSource.query(
      `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at FROM assignments WHERE id = $1`,
      [id],
    )) as { at: string }[];
    expect(id).toBe(made[made.length - 1].id);
    expect(at).toBe(row.at);
  });
});
