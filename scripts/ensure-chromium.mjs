// Makes sure the Chromium that Playwright drives exists (Debian's `chromium`; never `npx playwright install`).
// CHROMIUM_PATH overrides /usr/bin/chromium, as in playwright.config.ts. As root it installs the Debian package;
// otherwise it explains what to do and exits 1.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function executable(p) {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function run(cmd, args) {
  console.log(`ensure-chromium: $ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) {
    console.error(`ensure-chromium: '${cmd} ${args.join(' ')}' failed (${r.error?.message ?? `exit code ${r.status}`})`);
    process.exit(1);
  }
}

if (executable(path)) {
  console.log(`ensure-chromium: using ${path}`);
  process.exit(0);
}
if (process.env.CHROMIUM_PATH) {
  console.error(`ensure-chromium: CHROMIUM_PATH=${path} is not an executable file. Point it at a Chromium binary.`);
  process.exit(1);
}
if (typeof process.getuid === 'function' && process.getuid() === 0) {
  console.log(`ensure-chromium: ${path} is missing; installing Debian's chromium package`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', 'chromium']);
  if (!executable(path)) {
    console.error(`ensure-chromium: chromium was installed but ${path} is still missing`);
    process.exit(1);
  }
  console.log(`ensure-chromium: installed ${path}`);
  process.exit(0);
}
console.error(
  `ensure-chromium: ${path} is missing. The end-to-end tests drive Debian's Chromium.\n` +
    `  Install it:  sudo apt-get install -y chromium\n` +
    `  or point CHROMIUM_PATH at an existing Chromium/Chrome binary.`,
);
process.exit(1);
