#!/usr/bin/env node
// The AWS SDK clients Berth uses inside warn on every start that their future versions will need
// Node.js 22. Berth pins its SDK versions and supports Node.js 20, so the warning only confuses.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
await import('../dist/src/cli/main.js');
