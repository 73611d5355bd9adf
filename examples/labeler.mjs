// Stand-in labelers for a walkthrough: N new wallets sign in and work on one dataset, in turns,
// until it is complete (or there is nothing left for any of them). Each answers from the item's
// caption with a keyword rule (a real labeler would look at the image).
//
//   node examples/labeler.mjs <datasetId> [labelers, default 3]
//
// Verdicts come later than submissions (in batches per labeler), so when no labeler can claim
// anything the loop waits for the dataset to complete instead of stopping at the first empty claim.
import { Wallet } from 'ethers';
import { gql, GqlError, signIn, sleep } from './lib.mjs';

const [datasetId, count = '3'] = process.argv.slice(2);
if (!datasetId) {
  process.stderr.write('usage: node examples/labeler.mjs <datasetId> [labelers]\n');
  process.exit(2);
}
const IDLE_LIMIT_SECONDS = 120;

/** The stand-in judgement: what the caption says about the animal. */
function decide(payload) {
  const text = String(payload.caption ?? '').toLowerCase();
  return /bark|fetch|leash|wag|puppy|bone/.test(text) ? 'dog' : 'cat';
}

// The claim answers that mean: this labeler will get nothing more from this dataset.
const DONE = new Set(['NOT_FOUND', 'DATASET_NOT_OPEN', 'NOTHING_TO_CLAIM', 'WORKER_BLOCKED_ON_DATASET', 'OWN_DATASET']);

const labelers = [];
for (let i = 0; i < Number(count); i++) {
  const wallet = Wallet.createRandom();
  labelers.push({ name: `labeler ${i + 1}`, ...(await signIn(wallet)), submitted: 0, done: false });
}

const CLAIM = 'mutation($d: ID) { claimTask(datasetId: $d) { id items { id payload } } }';
const SUBMIT = 'mutation($a: ID!, $x: [AnswerInput!]!) { submitAssignment(assignmentId: $a, answers: $x) { status } }';
let idleSince = null;
for (;;) {
  let worked = false;
  for (const labeler of labelers.filter((l) => !l.done)) {
    let assignment;
    try {
      assignment = (await gql(CLAIM, { d: datasetId }, labeler.token)).claimTask;
    } catch (error) {
      if (!(error instanceof GqlError) || !DONE.has(error.code)) throw error;
      labeler.done = true;
      console.log(`${labeler.name}: no more work here (${error.code})`);
      continue;
    }
    if (!assignment) continue; // nothing free for this labeler right now
    const answers = assignment.items.map((item) => ({ itemId: item.id, label: decide(item.payload) }));
    const { submitAssignment } = await gql(SUBMIT, { a: assignment.id, x: answers }, labeler.token);
    labeler.submitted++;
    worked = true;
    console.log(`${labeler.name}: submitted ${answers.length} answers -> ${submitAssignment.status}`);
  }
  if (worked) {
    idleSince = null;
    continue;
  }
  // Nobody could claim: the dataset is complete (a labeler no longer sees it), every labeler is
  // done, or slots are held by submissions waiting for their verdict.
  const { dataset } = await gql(
    'query($id: ID!) { dataset(id: $id) { status } }',
    { id: datasetId },
    labelers[0].token,
  );
  if (!dataset || dataset.status !== 'OPEN') {
    console.log(`the dataset is ${dataset ? dataset.status : 'no longer open to labelers: COMPLETED or CANCELLED'}`);
    break;
  }
  if (labelers.every((l) => l.done)) break;
  idleSince ??= Date.now();
  if (Date.now() - idleSince > IDLE_LIMIT_SECONDS * 1000) {
    console.log(
      `nothing to claim for ${IDLE_LIMIT_SECONDS} s and the dataset is still OPEN: stopping (see myAssignments for verdicts still to come)`,
    );
    break;
  }
  await sleep(2000);
}

for (const labeler of labelers) {
  const { myAssignments, myEarnings } = await gql(
    '{ myAssignments(first: 50) { edges { node { status } } } myEarnings { pending available inFlight paid } }',
    {},
    labeler.token,
  );
  const statuses = myAssignments.edges.map((e) => e.node.status).join(' ');
  console.log(
    `${labeler.name} ${labeler.account.address}: ${statuses || 'no assignments'}; earnings available ${myEarnings.available}, in flight ${myEarnings.inFlight}, paid ${myEarnings.paid}`,
  );
}
