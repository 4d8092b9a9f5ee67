// Mints a token from the shell, for an operator: `npm run token -- --role agent --name alice [--email a@b]`.
// Prints the secret once; only its hash is stored.
import { parseArgs } from 'node:util';
import { ROLES, type Role, normaliseEmail } from '../domain/access.ts';
import { hashSecret, newSecret } from '../domain/tokens.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { openStore } from '../store/index.ts';

const USAGE = 'usage: npm run token -- --role admin|agent|requester --name NAME [--email EMAIL]';

function fail(message: string): never {
  console.error(`token: ${message}\n${USAGE}`);
  process.exit(2);
}

function readArguments() {
  try {
    return parseArgs({
      options: {
        role: { type: 'string' },
        name: { type: 'string' },
        email: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    // An unknown option, a missing value or a stray argument: the operator needs the usage, not a stack trace.
    fail((error as Error).message);
  }
}

const values = readArguments();
if (values.help) {
  // Asked for, the usage is the answer: on stdout, and a success.
  console.log(`${USAGE}\nMints a bearer token in the database DATABASE_URL names and prints its secret once.`);
  process.exit(0);
}
const role = values.role as Role | undefined;
if (!role || !ROLES.includes(role)) fail(`--role must be one of ${ROLES.join(', ')}`);
const name = values.name?.trim();
if (!name) fail('--name is required');
const email = values.email ? normaliseEmail(values.email) : null;
if (role === 'requester' && !email) fail('--email is required for a requester');
if (email !== null && !/^[^\s@]+@[^\s@]+$/.test(email)) fail('--email must be an email address');

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) fail(`bad configuration: ${error.message}`);
  throw error;
}
const store = await openStore({
  url: config.databaseUrl,
  synchronous: config.sqliteSynchronous,
  groupCommit: config.groupCommit,
});
const secret = newSecret();
const token = await store.tokens.create({ name, role, email }, hashSecret(secret));
await store.close();
console.log(`Minted token ${token.id} for ${name} (${role}). Its secret, shown only this once:\n${secret}`);
