// The floor under the read ratios: the real server (every middleware: request log, metrics, CORS, security
// headers, authentication, the rate limiter, conditional GET, negotiation) plus one route, /floor, that answers
// with a fixed document (BARE_BODY) the way bare-server.ts does: no storage, no links built. Its throughput
// next to bare Koa's is the most the helpdesk could reach with the request handling every answer must have.
// A POST to /floor is the floor under creates: the body read and parsed as every write's is (jsonBodies), then
// answered 201 with what came plus an id, as bare-writes-server.ts answers: no validation, storage or links.
import { loadConfig } from '../../src/config.ts';
import { bodyOf } from '../../src/http/body.ts';
import { Endpoint } from '../../src/links/registry.ts';
import { startServer } from '../../src/server.ts';

const FLOOR = new Endpoint('/floor');
const document: unknown = JSON.parse(process.env.BARE_BODY ?? '{}');

let created = 0;

const running = await startServer(loadConfig(process.env), (routes) => {
  routes.get(FLOOR, (ctx) => {
    ctx.type = process.env.BARE_TYPE ?? 'application/json';
    ctx.body = document;
  });
  routes.post(FLOOR, (ctx) => {
    ctx.status = 201;
    ctx.body = { id: ++created, ...(bodyOf(ctx) as object) };
  });
});
process.once('SIGTERM', () => void running.close().then(() => process.exit(0)));
