// The yardstick: a bare Koa app answering every request with one fixed JSON document (BARE_BODY, as JSON text),
// serialised per request as Koa does. What the helpdesk adds on top is what the read ratios measure.
import Koa from 'koa';
import { answerMemoryQuestions } from './child.ts';

const document: unknown = JSON.parse(process.env.BARE_BODY ?? '{}');
const app = new Koa();
app.use((ctx) => {
  ctx.type = process.env.BARE_TYPE ?? 'application/json';
  ctx.body = document;
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  answerMemoryQuestions();
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
  process.send!({ url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
});
server.keepAliveTimeout = 5_000;
