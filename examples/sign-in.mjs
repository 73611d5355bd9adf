// Signs a wallet in and prints its access token on stdout (everything else goes to stderr):
//
//   TOKEN=$(node examples/sign-in.mjs)                                  # a new wallet (a LABELER)
//   TOKEN=$(PRIVATE_KEY=$(cat .data/dev-admin.key) node examples/sign-in.mjs)   # the dev ADMIN
//
// API (default http://localhost:3000) says where the service is.
import { signIn, walletFromEnv } from './lib.mjs';

const { token, account } = await signIn(walletFromEnv());
process.stderr.write(`signed in: account ${account.id}, ${account.address}, roles ${account.roles.join(', ')}\n`);
process.stdout.write(`${token}\n`);
