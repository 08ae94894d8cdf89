// Child process for the crash test: appends audit entries one by one and prints each seq once its transaction has
// committed (acknowledged). The parent kills it with SIGKILL and checks every printed seq survived.
import { loadConfig } from '../../server/config.ts';
import { openRuntime } from '../../server/runtime.ts';

const rt = await openRuntime(loadConfig({ env: process.env }));
for (let i = 0; ; i++) {
  const [entry] = await rt.audit.record({ actor: 'system', action: 'test.crash', subject: `item:${i}` });
  process.stdout.write(`${entry!.seq}\n`);
}
