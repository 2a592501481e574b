/**
 * One process `exit` listener for every live connection. In Node each y-websocket provider adds its own
 * `process.on('exit')` listener (it clears the local awareness state), so a script with thousands of run connections
 * leaked a listener per run and tripped MaxListenersExceededWarning at the 11th. Each provider's listener is moved
 * here instead: ONE listener, registered while any connection is live, calls every live provider's handler.
 */
import type { WebsocketProvider } from 'y-websocket';

/** The bit of `process` this module touches; absent in browsers. */
interface ExitHooks {
  on(event: 'exit', fn: () => void): unknown;
  off(event: 'exit', fn: () => void): unknown;
  listeners(event: 'exit'): unknown[];
}

const nodeProcess = (globalThis as { process?: Partial<ExitHooks> }).process;
const exitHooks: ExitHooks | null =
  typeof nodeProcess?.on === 'function' && typeof nodeProcess.off === 'function' && typeof nodeProcess.listeners === 'function'
    ? (nodeProcess as ExitHooks)
    : null;

const handlers = new Set<() => void>();
const runAll = () => {
  for (const h of handlers) h();
};

/** Takes over the provider's own exit listener (if it registered one: Node only). */
export function adoptExitHandler(p: WebsocketProvider): void {
  if (!exitHooks || !exitHooks.listeners('exit').includes(p._exitHandler)) return;
  exitHooks.off('exit', p._exitHandler);
  if (handlers.size === 0) exitHooks.on('exit', runAll);
  handlers.add(p._exitHandler);
}

/** The provider is being destroyed; the last one out removes the process listener. */
export function dropExitHandler(p: WebsocketProvider): void {
  if (!exitHooks || !handlers.delete(p._exitHandler)) return;
  if (handlers.size === 0) exitHooks.off('exit', runAll);
}
