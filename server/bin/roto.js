#!/usr/bin/env node
// The `roto` command (package bin). The server runs from its TypeScript sources, so tsx's loader
// is registered first; everything else is in src/cli/roto.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/roto.ts');
await main();
