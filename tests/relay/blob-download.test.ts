import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from './helpers/in-process';

/** components/artifacts/SPEC.md ART-6 over real HTTP: a named download from a plain link. */
describe('relay blob downloads', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('[ART-6] ?download=<name> answers content-disposition attachment with the cleaned name; without it, none', async () => {
    const body = new TextEncoder().encode('a,b\n1,2\n');
    const sha = createHash('sha256').update(body).digest('hex');
    expect((await fetch(`${relay.url}/blobs/${sha}`, { method: 'PUT', body })).status).toBe(201);

    const plain = await fetch(`${relay.url}/blobs/${sha}`);
    expect(plain.headers.get('content-disposition')).toBeNull();
    expect(new Uint8Array(await plain.arrayBuffer())).toEqual(body);

    const named = await fetch(`${relay.url}/blobs/${sha}?download=${encodeURIComponent('runs/table é.csv')}`);
    expect(named.status).toBe(200);
    expect(named.headers.get('content-disposition')).toBe(`attachment; filename="table _.csv"; filename*=UTF-8''table%20%C3%A9.csv`);
    expect(new Uint8Array(await named.arrayBuffer())).toEqual(body);

    const hostile = await fetch(`${relay.url}/blobs/${sha}?download=${encodeURIComponent('x"\r\nSet-Cookie: a=b')}`);
    expect(hostile.status).toBe(200);
    expect(hostile.headers.get('set-cookie')).toBeNull();
    expect(hostile.headers.get('content-disposition')).toContain('filename="x___Set-Cookie: a=b"');
  });
});
