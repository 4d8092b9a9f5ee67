// Preloaded into each server the bench runs (node --import): answers the bench's questions on memory and CPU time
// over the IPC channel. Plain JavaScript, so that the helpdesk under bench runs as `npm start` runs it: compiled,
// with no TypeScript loader in the process whose memory is measured.
process.on('message', (message) => {
  if (message !== 'usage') return;
  const { user, system } = process.cpuUsage();
  // The helpdesk's spans (src/http/spans.ts), when it runs with BENCH_SPANS=1.
  const spans = globalThis[Symbol.for('helpdesk.spans')];
  process.send({ usage: { rss: process.memoryUsage().rss, cpu: user + system, spans: spans ? { ...spans } : {} } });
});
// The bench ending (or dying) takes its servers with it.
process.on('disconnect', () => process.exit(0));
