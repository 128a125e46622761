/** `npm run bench`: every benchmark of the control plane, one after another. Prints figures; asserts nothing. */
import { main as agent } from './agent.js';
import { main as api } from './api.js';
import { main as controllers } from './controllers.js';
import { main as patterns } from './patterns.js';
import { main as placement } from './placement.js';
import { main as policy } from './policy.js';
import { main as registry } from './registry.js';
import { main as services } from './services.js';
import { main as store } from './store.js';

console.log('== store (SQLite change feed and writes) ==');
await store();
console.log('\n== placement engine ==');
await placement();
console.log('\n== IAM policy evaluation (pure evaluator, one core) ==');
await policy();
console.log('\n== hostile patterns (RegExp before, RE2 and wildcard matching after) ==');
await patterns();
console.log('\n== API (Berth server process, signed SDK clients) ==');
await api();
console.log('\n== agent (start latency on Docker; simulated scale) ==');
await agent();
console.log('\n== services (scale 0 → 5,000 on simulated capacity; rolling deployments on Docker) ==');
await services();
console.log('\n== service controller (one change among 500 and 5,000 services) ==');
await controllers();
console.log('\n== registry (skopeo push/pull and manifest GET; Berth against the CNCF distribution registry) ==');
await registry();
