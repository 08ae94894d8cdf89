// `npm run bench:hid`: round trips through the virtual key over 64-byte CTAPHID reports (the same client code a real
// key uses) and pure framing of a maximum-size message. Prints time per operation, its ratio to a 1-report PING
// baseline measured in the same run, and its ratio to the USB full-speed floor for the same number of reports
// (one report per 1 ms frame: the fastest a real key could possibly answer). Not a test: no thresholds.
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { SecurityKey } from '../../hardware/security-key.ts';
import { VirtualSecurityKey } from '../../hardware/virtual/virtual-security-key.ts';
import { CtapHidCmd, MAX_MESSAGE_SIZE, MessageAssembler, decodeFrame, encodeFrames } from '../../hardware/ctaphid-framing.ts';

interface Row {
  name: string;
  perOpMs: number;
  reportsOut: number;
  reportsIn: number;
}

async function measure(iterations: number, op: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < Math.min(20, iterations); i++) await op(); // warm-up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await op();
  return (performance.now() - start) / iterations;
}

async function main(): Promise<void> {
  const virtual = await VirtualSecurityKey.load('breakglass-virtual');
  const handle = virtual.open();
  let out = 0;
  let inbound = 0;
  const write = handle.write.bind(handle);
  handle.write = async (report: Buffer | number[]) => {
    out++;
    return write(report);
  };
  handle.on('data', () => inbound++);
  const key = await SecurityKey.open(handle);
  /** Reports exchanged by one run of `op`. */
  const reportsOf = async (op: () => Promise<unknown>): Promise<[number, number]> => {
    const [o, i] = [out, inbound];
    await op();
    await new Promise((r) => setImmediate(r));
    return [out - o, inbound - i];
  };

  const clientDataHash = new Uint8Array(createHash('sha256').update('bench').digest());
  let userId = 0;
  const ops: [string, number, () => Promise<unknown>][] = [
    ['PING 0 B (baseline)', 2000, () => key.connection.ping(new Uint8Array(0))],
    ['getInfo', 2000, () => key.ctap.getInfo()],
    [
      'makeCredential (ES256, packed attestation)',
      300,
      () =>
        key.ctap.makeCredential({
          clientDataHash,
          rp: { id: 'login.microsoft.com', name: 'Microsoft' },
          user: { id: Uint8Array.of(1, (userId = (userId + 1) & 0xff)), name: 'bench' },
          pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
        }),
    ],
    [`PING ${MAX_MESSAGE_SIZE} B (maximum message)`, 300, () => key.connection.ping(new Uint8Array(MAX_MESSAGE_SIZE).fill(0x5a))],
  ];

  const rows: Row[] = [];
  for (const [name, iterations, op] of ops) {
    const [reportsOut, reportsIn] = await reportsOf(op);
    rows.push({ name, perOpMs: await measure(iterations, op), reportsOut, reportsIn });
  }
  await key.close();

  // Framing alone: split a maximum-size message into reports and reassemble it, no device involved.
  const big = new Uint8Array(MAX_MESSAGE_SIZE).fill(0xa5);
  const framing = await measure(2000, () => {
    const frames = encodeFrames(0x01020304, CtapHidCmd.CBOR, big);
    const a = new MessageAssembler();
    for (const f of frames) a.push(decodeFrame(f));
  });
  const frameReports = encodeFrames(1, CtapHidCmd.CBOR, big).length;
  rows.push({ name: `framing ${MAX_MESSAGE_SIZE} B encode + reassemble (no device)`, perOpMs: framing, reportsOut: frameReports, reportsIn: 0 });

  const baseline = rows[0]!.perOpMs;
  const header = ['operation', 'per op', 'reports out+in', 'USB FS floor', 'vs floor', 'vs baseline'];
  const lines = rows.map((r) => {
    const reports = r.reportsOut + r.reportsIn;
    const floorMs = reports * 1; // one 64-byte report per 1 ms full-speed frame
    return [
      r.name,
      r.perOpMs >= 1 ? `${r.perOpMs.toFixed(2)} ms` : `${(r.perOpMs * 1000).toFixed(1)} µs`,
      `${r.reportsOut}+${r.reportsIn}`,
      `${floorMs} ms`,
      `${(r.perOpMs / floorMs).toFixed(4)}×`,
      `${(r.perOpMs / baseline).toFixed(2)}×`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`CTAPHID/CTAP2 through the virtual key — Node ${process.version}, ${process.platform}-${process.arch}`);
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
  console.log('vs floor < 1 means the software path costs less than the USB wire time a real key needs for the same reports.');
}

await main();
