import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runCli, spawnRelay, spawnServer, type RelayProcess } from './helpers/cli-process';
import { tempDir } from './helpers/in-process';

const TOKEN_LINE = /^cairn_[A-Za-z0-9_-]{43}\n$/;

describe('cairn CLI', () => {
  let cli: string;
  const data = tempDir('cairn-cli-');
  const running: RelayProcess[] = [];
  beforeAll(async () => {
    cli = await buildCli();
  });
  afterAll(async () => {
    for (const r of running) await r.kill();
    data.remove();
  });

  it('[RELAY-22] --help works for every command', () => {
    const commands = [[], ['relay'], ['relay', 'reindex'], ['start'], ['token'], ['token', 'create'], ['token', 'list'], ['token', 'revoke']];
    for (const cmd of commands) {
      const r = runCli(cli, [...cmd, '--help']);
      expect(r.status, cmd.join(' ')).toBe(0);
      expect(r.stdout, cmd.join(' ')).toContain(`Usage: cairn${cmd.length ? ' ' + cmd.join(' ') : ''}`);
    }
    expect(runCli(cli, ['--version']).stdout.trim()).toBe('0.1.0');
  });

  it('[RELAY-12] --open on a non-loopback host is refused without --insecure-open', () => {
    const r = runCli(cli, ['relay', '--open', '--host', '0.0.0.0', '--port', '0', '--data', data.path]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/refusing --open on host 0\.0\.0\.0/);
    expect(r.stderr).toContain('--insecure-open');
  });

  it('[RELAY-12] --open --insecure-open on 0.0.0.0 starts, with a warning', async () => {
    const relay = await spawnRelay(cli, ['--open', '--insecure-open', '--host', '0.0.0.0', '--port', '0', '--data', data.path]);
    running.push(relay);
    expect(relay.output()).toMatch(/open: no tokens checked/);
    const health = await fetch(`http://127.0.0.1:${relay.port}/healthz`);
    expect(health.status).toBe(200);
    expect(await relay.stop()).toBe(0);
  });

  it('[RELAY-12] cairn start refuses a non-loopback host', () => {
    const r = runCli(cli, ['start', '--host', '0.0.0.0', '--port', '0', '--data', data.path]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/only binds to loopback/);
  });

  it('[RELAY-22] token create prints only the token; list never shows it; revoke stops it', async () => {
    const created = runCli(cli, ['token', 'create', '--data', data.path, '--workspace', 'team', '--role', 'write']);
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(TOKEN_LINE);
    const token = created.stdout.trim();
    runCli(cli, ['token', 'create', '--data', data.path, '--workspace', 'other', '--role', 'read']);

    const list = runCli(cli, ['token', 'list', '--data', data.path]);
    expect(list.status).toBe(0);
    expect(list.stdout).not.toContain('cairn_');
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+WORKSPACE\s+ROLE\s+CREATED\s+EXPIRES\s+REVOKED$/);
    const teamLines = runCli(cli, ['token', 'list', '--data', data.path, '--workspace', 'team']).stdout.trim().split('\n');
    expect(teamLines).toHaveLength(2);
    const [id, workspace, role, , expires, revoked] = teamLines[1]!.split(/\s+/);
    expect([workspace, role, expires, revoked]).toEqual(['team', 'write', '-', '-']);

    // The running relay sees CLI changes on its next check.
    const relay = await spawnRelay(cli, ['--port', '0', '--data', data.path]);
    running.push(relay);
    expect(relay.output()).toMatch(/tokens required/);
    expect((await fetch(`${relay.url}/docs/team`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${relay.url}/docs/other`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    const late = runCli(cli, ['token', 'create', '--data', data.path, '--workspace', 'other', '--role', 'admin']).stdout.trim();
    expect((await fetch(`${relay.url}/docs/other?token=${late}`)).status).toBe(200);

    const revoke = runCli(cli, ['token', 'revoke', id!, '--data', data.path]);
    expect(revoke.status).toBe(0);
    expect((await fetch(`${relay.url}/docs/team`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect(runCli(cli, ['token', 'revoke', id!, '--data', data.path]).status).toBe(1);
    expect(await relay.stop()).toBe(0);
  });

  it('[RELAY-28] token create --expires takes a duration or a date; list shows it; nonsense and the past are refused', () => {
    const before = Date.now();
    const made = runCli(cli, ['token', 'create', '--data', data.path, '--workspace', 'exp', '--role', 'read', '--expires', '30d']);
    expect(made.status).toBe(0);
    expect(made.stdout).toMatch(TOKEN_LINE);
    const line = runCli(cli, ['token', 'list', '--data', data.path, '--workspace', 'exp']).stdout.trim().split('\n')[1]!;
    const expires = Date.parse(line.split(/\s+/)[4]!);
    expect(expires - before).toBeGreaterThanOrEqual(30 * 86_400_000 - 1_000);
    expect(expires - before).toBeLessThan(30 * 86_400_000 + 60_000);
    const at = runCli(cli, ['token', 'create', '--data', data.path, '--workspace', 'exp', '--role', 'read', '--expires', '2999-01-01T00:00:00Z']);
    expect(at.status).toBe(0);
    for (const bad of ['0d', 'soon', '2001-01-01T00:00:00Z', '-5h']) {
      const r = runCli(cli, ['token', 'create', '--data', data.path, '--workspace', 'exp', '--role', 'read', '--expires', bad]);
      expect(r.status, bad).not.toBe(0);
      expect(r.stdout, bad).toBe('');
      expect(r.stderr, bad).toMatch(/--expires/);
    }
  });

  it('[RELAY-22] token create refuses a bad role or workspace, printing nothing on stdout', () => {
    const role = runCli(cli, ['token', 'create', '--data', data.path, '--workspace', 'team', '--role', 'owner']);
    expect(role.status).not.toBe(0);
    expect(role.stdout).toBe('');
    const ws = runCli(cli, ['token', 'create', '--data', data.path, '--workspace', '../etc', '--role', 'read']);
    expect(ws.status).toBe(1);
    expect(ws.stdout).toBe('');
    expect(ws.stderr).toMatch(/Invalid workspace/);
  });

  it('[RELAY-21] env config: CAIRN_PORT and CAIRN_DATA_DIR are used when no flags are given', async () => {
    const envDir = join(data.path, 'from-env');
    const relay = await spawnRelay(cli, ['--open'], { CAIRN_PORT: '0', CAIRN_DATA_DIR: envDir });
    running.push(relay);
    expect(existsSync(join(envDir, 'relay.sqlite'))).toBe(true);
    expect(await relay.stop()).toBe(0);
    const bad = runCli(cli, ['relay', '--open', '--data', envDir], { CAIRN_PORT: 'eighty' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/CAIRN_PORT must be a port number/);
  });

  it('[RELAY-20] cairn start serves the app and relay on one loopback port, or explains how to build the app', async () => {
    const app = join(data.path, 'app');
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'index.html'), '<h1>cairn</h1>');
    const withApp = await spawnServer(cli, ['start', '--port', '0', '--data', data.path, '--app', app], /Relay: (http:\/\/\S+)/);
    running.push(withApp);
    expect(withApp.output()).toMatch(/open mode on loopback/);
    expect(withApp.output()).toContain(`App:   ${withApp.url}/`);
    expect(withApp.output()).toContain(`Data:  ${data.path}`);
    expect(await (await fetch(`${withApp.url}/`)).text()).toBe('<h1>cairn</h1>');
    expect(await (await fetch(`${withApp.url}/cairn-config.json`)).json()).toEqual({ relay: withApp.url, workspace: 'default' });
    expect(await withApp.stop()).toBe(0);

    const noApp = await spawnServer(cli, ['start', '--port', '0', '--data', data.path, '--app', join(data.path, 'missing')], /Relay: (http:\/\/\S+)/);
    running.push(noApp);
    expect(noApp.output()).toContain('npm run build');
    expect((await fetch(`${noApp.url}/healthz`)).status).toBe(200);
    expect(await noApp.stop()).toBe(0);
  });
});
