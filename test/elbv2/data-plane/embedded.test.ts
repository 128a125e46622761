/** The embedded data plane (a Node.js process of Berth's own) passes the data-plane conformance suite. */
import { createEmbeddedDataPlane } from '../../../src/elbv2/data-plane/embedded/index.js';
import { dataPlaneConformance } from './conformance.js';

dataPlaneConformance('embedded', (stateDir) => createEmbeddedDataPlane({ stateDir }));
