// An instance whose clock is off: while `run` runs, JavaScript's Date (new Date(), Date.now()) reads the machine's
// clock moved by `skewMs`, as on a machine whose clock has drifted. The database's clock is left alone: that is
// the difference between instances that leases must survive. Tests that use it run serially.
export async function withClockSkew<T>(skewMs: number, run: () => Promise<T>): Promise<T> {
  const MachineDate = globalThis.Date;
  class SkewedDate extends MachineDate {
    constructor(...args: [] | [string | number | Date]) {
      if (args.length === 0) super(MachineDate.now() + skewMs);
      else super(args[0]);
    }

    static override now(): number {
      return MachineDate.now() + skewMs;
    }
  }
  globalThis.Date = SkewedDate as DateConstructor;
  try {
    return await run();
  } finally {
    globalThis.Date = MachineDate;
  }
}
