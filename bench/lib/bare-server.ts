// The yardstick: a bare Koa app answering every request with one fixed JSON document (BARE_BODY, as JSON text),
// serialised per request as Koa does. What the helpdesk adds on top is what the read ratios measure.
import Koa from 'koa';

const document: unknown = JSON.parse(process.env.BARE_BODY ?? '{}');
const app = new Koa();
app.use((ctx) => {
  ctx.type = process.env.BARE_TYPE ?? 'application/json';
  ctx.body = document;
});
const server = app.listen(Number(process.env.PORT), process.env.HOST);
server.keepAliveTimeout = 5_000;
process.once('SIGTERM', () => server.close(() => process.exit(0)));
