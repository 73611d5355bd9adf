import { AssignmentsRepository } from '../../src/tasks/assignments.repository';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { gql } from '../support/gql';
import { createOpenDataset, type DatasetFixture } from '../support/fixtures';
import { walkPages, type WalkedPage } from '../support/pages';
import { signIn } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { answersFor, claim, release, submit } from './labeler';

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

  const QUERY = `query($f: Int, $a: String, $s: AssignmentStatus) {
    myAssignments(first: $f, after: $a, status: $s) {
      totalCount pageInfo { endCursor hasNextPage } edges { cursor node { id status } } } }`;
  // Every page, first to last; each cursor is checked to carry its row's time to the microsecond.
  const walk = async (args: { first: number; status?: string }): Promise<{ pages: WalkedPage[]; ids: string[] }> => {
    const pages = await walkPages(app, {
      query: QUERY,
      field: 'myAssignments',
      token,
      table: 'assignments',
      variables: { f: args.first, s: args.status ?? null },
    });
    return { pages, ids: pages.flatMap((p) => p.edges.map((e) => e.node.id)) };
  };

  it('pages through every status newest first, each row once, with the count of all and microsecond cursors', async () => {
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

  // The count reads the worker's whole history; a page reads a page. A client that shows no total
  // does not pay for one.
  it('counts the whole list only for a query that asks for totalCount, and once however often it asks', async () => {
    const counts = jest.spyOn(app.app.get(AssignmentsRepository), 'countOwn');
    try {
      const page = await gql(app, { query: '{ myAssignments(first: 2) { edges { node { id } } } }', token });
      expect(page.errors).toBeUndefined();
      expect(page.data.myAssignments.edges).toHaveLength(2);
      expect(counts).not.toHaveBeenCalled();

      // Twice in one page (aliases cannot multiply the count's cost): counted once.
      const counted = await gql(app, { query: '{ myAssignments(first: 2) { totalCount again: totalCount } }', token });
      expect(counted.data.myAssignments).toEqual({ totalCount: 5, again: 5 });
      expect(counts).toHaveBeenCalledTimes(1);
    } finally {
      counts.mockRestore();
    }
  });
});
