// Entry of the verification worker thread: worker threads do not inherit the parent's TypeScript loader, so
// register tsx here before loading the TypeScript worker (a no-op cost once; Node >= 22.18 could strip types itself).
import { register } from 'tsx/esm/api';

register();
await import('./verify-worker.ts');
