// Preloaded into each server the bench runs (node --import): answers the bench's questions on memory and CPU time
// over the IPC channel. Plain JavaScript, so that the helpdesk under bench runs as `npm start` runs it: compiled,
// with no TypeScript loader in the process whose memory is measured.

// With BENCH_STALLS=1 (the abuse bench): the longest gap between ticks of a 2 ms timer, and the CPU the process
// burned during it. A gap the process spent computing is a stall of ours; one it spent unscheduled, on a machine
// busy with other work, shows as wall time without the CPU. Reset by each report.
let held = { wallMs: 0, cpuMs: 0 };
if (process.env.BENCH_STALLS === '1') {
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const wallMs = now - last;
    if (wallMs > held.wallMs) held = { wallMs, cpuMs: (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000 };
    last = now;
    lastCpu = cpu;
  }, 2).unref();
}

process.on('message', (message) => {
  if (message !== 'usage') return;
  const { user, system } = process.cpuUsage();
  // The helpdesk's spans (src/http/spans.ts), when it runs with BENCH_SPANS=1.
  const spans = globalThis[Symbol.for('helpdesk.spans')];
  process.send({
    usage: { rss: process.memoryUsage().rss, cpu: user + system, spans: spans ? { ...spans } : {}, held },
  });
  held = { wallMs: 0, cpuMs: 0 };
});
// The bench ending (or dying) takes its servers with it.
process.on('disconnect', () => process.exit(0));
