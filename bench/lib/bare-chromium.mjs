// Chromium driven over a bare DevTools protocol connection: for the page-load figures, where Playwright's own
// instrumentation is part of what would be measured. Playwright enables the Network domain on every page and worker
// it attaches to (its request/response events need it), and Chromium then copies every response body into the
// DevTools buffers as it streams: here, 50 fetches of 1.1 MB from a worker take ~850 ms under Playwright and ~270 ms
// with only this connection attached (bench/README.md, "Bare Chromium"). A person's browser has no DevTools attached,
// so a load that moves megabytes is measured here, with Runtime and Page only: no Network domain on any session.
//
// The surface is the part of Playwright's Page that bench/charts.mjs uses (goto, reload, evaluate, waitForFunction
// with raf polling, workers()[i].evaluate), so a bench moves between the two by changing how the page is made.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

/**
 * Playwright's own launch flags for Chromium (read from its command line, Playwright 1.5x), so the two drivers differ
 * in what is attached, not in how the browser runs (PaintHolding off, no background throttling, no field trials).
 * Three more features are off: launched this way, Chromium 156 gives each new context's window an omnibox popup
 * rendered by a WebUI process (chrome://omnibox-popup.top-chrome). That process used ~350 ms of CPU during the first
 * second of the page's load on this 2-core box, and Playwright's launch starts none. A person's browser loaded its
 * window's popup long before they open a page.
 */
const FLAGS = [
  '--disable-field-trial-config', '--disable-background-networking', '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows', '--disable-back-forward-cache', '--disable-breakpad',
  '--disable-component-extensions-with-background-pages', '--disable-component-update', '--no-default-browser-check',
  '--disable-default-apps', '--disable-dev-shm-usage', '--disable-extensions',
  '--disable-features=AvoidUnnecessaryBeforeUnloadCheckSync,DestroyProfileOnBrowserClose,HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,LensOverlay,MediaRouter,PaintHolding,ThirdPartyStoragePartitioning,AvoidCorsURLLoaderRestartOnRedirect,OptimizationHints,NetworkTimeServiceQuerying,PreconnectToSearch,PreloadTopChromeWebUI,WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup',
  '--allow-pre-commit-input', '--disable-hang-monitor', '--disable-ipc-flooding-protection', '--disable-popup-blocking',
  '--disable-prompt-on-repost', '--disable-renderer-backgrounding', '--force-color-profile=srgb', '--metrics-recording-only',
  '--no-first-run', '--password-store=basic', '--use-mock-keychain', '--no-service-autorun', '--disable-search-engine-choice-screen',
  '--disable-infobars', '--disable-sync', '--headless', '--hide-scrollbars', '--mute-audio', '--no-sandbox', '--disable-gpu',
];

/** Launches Chromium and connects to its browser target. Returns { newPage, startTracing, stopTracing, close }. */
export async function launchBare({ executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args = [], startTimeoutMs = 30_000 } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'cairn-bare-'));
  const proc = spawn(executablePath, [...FLAGS, ...args, '--remote-debugging-port=0', `--user-data-dir=${profile}`, '--no-startup-window'], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Chromium prints "DevTools listening on ws://…" on stderr once the port is open.
  const wsUrl = await new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not open its DevTools port in ${startTimeoutMs} ms: ${err.slice(-500)}`)), startTimeoutMs);
    proc.stderr.on('data', (d) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`chromium exited (${code}) before its DevTools port opened: ${err.slice(-500)}`));
    });
  });
  proc.stderr.resume();
  const ws = new WebSocket(wsUrl, { maxPayload: 2 ** 30, perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });

  let nextId = 0;
  const pending = new Map();
  /** Event listeners by `${sessionId}|${method}` ('' for the browser session). */
  const listeners = new Map();
  ws.on('message', (raw) => {
    const msg = JSON.parse(raw);
    if (msg.id !== undefined) {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}${msg.error.data ? ` (${msg.error.data})` : ''}`));
      else p.resolve(msg.result);
      return;
    }
    for (const cb of listeners.get(`${msg.sessionId ?? ''}|${msg.method}`) ?? []) cb(msg.params);
  });
  ws.on('close', () => {
    for (const p of pending.values()) p.reject(new Error(`${p.method}: the DevTools connection closed`));
    pending.clear();
  });
  const send = (method, params = {}, sessionId) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject, method });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const on = (sessionId, method, cb) => {
    const k = `${sessionId ?? ''}|${method}`;
    if (!listeners.has(k)) listeners.set(k, new Set());
    listeners.get(k).add(cb);
    return () => listeners.get(k)?.delete(cb);
  };

  /** A fresh profile (a new browser context, as Playwright's newContext) with one page of `viewport`. */
  async function newPage({ viewport = { width: 1400, height: 1000 } } = {}) {
    const { browserContextId } = await send('Target.createBrowserContext', { disposeOnDetach: true });
    const { targetId } = await send('Target.createTarget', { url: 'about:blank', browserContextId });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    /** Dedicated workers of the page, in the order they started (a reload's new worker comes after the old is gone). */
    const workers = [];
    const offs = [
      on(sessionId, 'Target.attachedToTarget', ({ sessionId: ws2, targetInfo }) => {
        if (targetInfo.type === 'worker') workers.push({ sessionId: ws2, evaluate: (fn, arg) => evaluateIn(ws2, fn, arg) });
      }),
      on(sessionId, 'Target.detachedFromTarget', ({ sessionId: ws2 }) => {
        const i = workers.findIndex((w) => w.sessionId === ws2);
        if (i >= 0) workers.splice(i, 1);
      }),
    ];
    await send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true }, sessionId);
    await send('Page.enable', {}, sessionId);
    await send('Emulation.setDeviceMetricsOverride', { width: viewport.width, height: viewport.height, deviceScaleFactor: 1, mobile: false }, sessionId);

    /** Resolves when the main frame commits a navigation (a new document: evaluations run in it from then on). */
    const committed = () =>
      new Promise((resolve) => {
        const off = on(sessionId, 'Page.frameNavigated', ({ frame }) => {
          if (frame.parentId) return;
          off();
          resolve();
        });
      });

    const page = {
      async goto(url) {
        const done = committed();
        const r = await send('Page.navigate', { url }, sessionId);
        if (r.errorText) throw new Error(`navigation to ${url} failed: ${r.errorText}`);
        await done;
      },
      async reload() {
        const done = committed();
        await send('Page.reload', {}, sessionId);
        await done;
      },
      evaluate: (fn, arg) => evaluateIn(sessionId, fn, arg),
      /** Runs `source` (a script's text) in every document this page loads, before the document's own scripts. */
      async addInitScript(source) {
        await send('Page.addScriptToEvaluateOnNewDocument', { source }, sessionId);
      },
      /**
       * Polls `fn(arg)` once per animation frame in the page until it returns a truthy value; resolves with an object
       * whose jsonValue() gives that value (as Playwright's JSHandle would). A navigation under way is waited out.
       */
      async waitForFunction(fn, arg, { timeout = 30_000 } = {}) {
        const t0 = Date.now();
        const poll = `(f, a, until) => new Promise((resolve) => { const tick = () => { let v; try { v = f(a); } catch { v = undefined; } if (v) return resolve(v); if (Date.now() > until) return resolve(null); requestAnimationFrame(tick); }; tick(); })`;
        for (;;) {
          const left = timeout - (Date.now() - t0);
          if (left <= 0) throw new Error(`waitForFunction: not true within ${timeout} ms`);
          let v;
          try {
            v = await evaluateExpr(sessionId, `(${poll})(${fn}, ${JSON.stringify(arg ?? null)}, Date.now() + ${left})`);
          } catch (e) {
            // The document went away under the poll (a navigation): poll the next one.
            if (/context|destroyed|navigat/i.test(String(e?.message))) continue;
            throw e;
          }
          if (v !== null && v !== undefined) return { jsonValue: async () => v };
        }
      },
      workers: () => [...workers],
      async close() {
        for (const off of offs) off();
        await send('Target.disposeBrowserContext', { browserContextId }).catch(() => {});
      },
    };
    return page;
  }

  async function evaluateExpr(sessionId, expression) {
    const r = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true, userGesture: true }, sessionId);
    if (r.exceptionDetails) throw new Error(`evaluate: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value;
  }
  const evaluateIn = (sessionId, fn, arg) => evaluateExpr(sessionId, `(${fn})(${JSON.stringify(arg ?? null)})`);

  /** Chromium's trace of everything from now to stopTracing() (the browser target's Tracing domain). */
  let traceEvents = null;
  let offTraceData = null;
  async function startTracing(_page, { categories }) {
    traceEvents = [];
    // One listener per trace: a second trace must not collect every event twice.
    offTraceData?.();
    offTraceData = on(null, 'Tracing.dataCollected', ({ value }) => traceEvents?.push(...value));
    await send('Tracing.start', { traceConfig: { includedCategories: categories }, transferMode: 'ReportEvents' });
  }
  /** Resolves with the trace as a Buffer of `{ traceEvents }` JSON, as Playwright's stopTracing does. */
  async function stopTracing() {
    const done = new Promise((resolve) => {
      const off = on(null, 'Tracing.tracingComplete', () => {
        off();
        resolve();
      });
    });
    await send('Tracing.end');
    await done;
    offTraceData?.();
    offTraceData = null;
    const out = Buffer.from(JSON.stringify({ traceEvents }));
    traceEvents = null;
    return out;
  }

  async function close() {
    await send('Browser.close').catch(() => {});
    ws.close();
    await new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve();
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        resolve();
      }, 5_000);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    rmSync(profile, { recursive: true, force: true });
  }

  return { newPage, startTracing, stopTracing, close };
}
