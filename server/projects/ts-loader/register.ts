/** `node --import=<dist/projects/ts-register.mjs>`: registers the TypeScript hooks (hooks.ts) for this process. */
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
