import { expect, test } from '@playwright/test';
import { connect } from 'cairn/sdk';
import { collectPageErrors } from './fixtures/page-errors';
import { tempDir } from './fixtures/processes';
import { FIRST_LOAD_TIMEOUT } from './pages/app-header';
import { RunPage } from './pages/run-page';

/*
 * components/run/SPEC.md RUNPAGE-N1..N5 through the relay: two browser contexts (two people) type into one run's
 * description at the same time, one at the start and one at the end; both keep their words, both pages converge, and
 * each sees the other's caret. The run doc's new root type (`notes`) passes the relay's update admission.
 */
test('[RUNPAGE-N4][RUNPAGE-N5][RUNPAGE-N6] two people typing into one description at once both keep their words, see each other’s caret, and undo only their own typing', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const relay = new URL(baseURL!).origin;
  const data = tempDir('cairn-notes-');
  const users = await Promise.all([browser.newContext({ baseURL }), browser.newContext({ baseURL })]);
  const pageErrors = collectPageErrors(...users);
  try {
    const client = await connect({ relay, workspace: 'default', dataDir: data.path });
    const experimentId = await client.createExperiment(`notes-${Date.now()}`);
    const run = await client.startRun({ experimentId, runName: 'notes-run' });
    await run.end();
    await client.flush();
    await client.close();

    const [a, b] = await Promise.all(users.map((c) => c.newPage()));
    const [ra, rb] = [new RunPage(a!), new RunPage(b!)];
    await Promise.all([ra.goto(run.id), rb.goto(run.id)]);
    await Promise.all([ra, rb].map((r) => expect(r.name).toHaveText('notes-run', { timeout: FIRST_LOAD_TIMEOUT })));
    await Promise.all([ra.header.expectSynced(), rb.header.expectSynced()]);

    // One person starts the description; the other sees it arrive.
    await ra.description.click();
    await ra.description.pressSequentially('middle');
    await expect(rb.description).toHaveValue('middle', { timeout: FIRST_LOAD_TIMEOUT });
    await a!.waitForTimeout(700); // what A types next is a new undo step (RUNPAGE-N6: keystrokes 500 ms apart)

    // Both type at once: A at the start, B at the end. A's words go in as one input (as a paste or an IME commit does)
    // while B is mid-word: key by key, a renderer of this 2-core machine held up for 500 ms between two of A's keys
    // splits A's typing into two undo steps (RUNPAGE-N6 groups by time), and the Ctrl+Z below would take back only the
    // second. The grouping itself is checked in tests/unit/manage-notes.test.ts.
    await rb.description.click();
    await Promise.all([
      (async () => {
        await ra.description.press('Control+Home');
        await a!.waitForTimeout(150);
        await a!.keyboard.insertText('alpha bravo ');
      })(),
      (async () => {
        await rb.description.press('Control+End');
        await rb.description.pressSequentially(' yankee zulu', { delay: 40 });
      })(),
    ]);
    const want = 'alpha bravo middle yankee zulu';
    await expect(ra.description).toHaveValue(want, { timeout: FIRST_LOAD_TIMEOUT });
    await expect(rb.description).toHaveValue(want, { timeout: FIRST_LOAD_TIMEOUT });

    // Each sees the other's caret: A's page shows B's at the end of the text, B's page shows A's after "bravo ".
    await expect.poll(() => ra.noteCursors.first().getAttribute('data-index'), { timeout: FIRST_LOAD_TIMEOUT }).toBe(String(want.length));
    await expect.poll(() => rb.noteCursors.first().getAttribute('data-index'), { timeout: FIRST_LOAD_TIMEOUT }).toBe(String('alpha bravo '.length));

    // RUNPAGE-N6: A's Ctrl+Z takes back A's own last typing only (B's words stay), on both pages; Ctrl+Shift+Z redoes.
    await ra.description.press('Control+z');
    await expect(ra.description).toHaveValue('middle yankee zulu', { timeout: FIRST_LOAD_TIMEOUT });
    await expect(rb.description).toHaveValue('middle yankee zulu', { timeout: FIRST_LOAD_TIMEOUT });
    await ra.description.press('Control+Shift+z');
    await expect(ra.description).toHaveValue(want, { timeout: FIRST_LOAD_TIMEOUT });
    await expect(rb.description).toHaveValue(want, { timeout: FIRST_LOAD_TIMEOUT });

    // A fresh page reads it from the relay (the run doc's notes were admitted and stored), as mlflow.note.content too.
    const c = await users[0]!.newPage();
    const rc = new RunPage(c);
    await rc.goto(run.id);
    await expect(rc.description).toHaveValue(want, { timeout: FIRST_LOAD_TIMEOUT });
    const reader = await connect({ relay, workspace: 'default', dataDir: tempDir('cairn-notes-read-').path });
    try {
      await expect.poll(async () => (await reader.getRun(run.id))?.tags['mlflow.note.content'], { timeout: FIRST_LOAD_TIMEOUT }).toBe(want);
    } finally {
      await reader.close();
    }
    expect(pageErrors()).toEqual([]);
  } finally {
    await Promise.all(users.map((u) => u.close()));
    data.remove();
  }
});
