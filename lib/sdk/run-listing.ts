import { CairnError, type Run } from '../domain';
import { fetchIndex, type FetchLike } from '../relay-client';
import { IndexReplica, catchUp, decodeIndex, rowFromRun, type IndexRow } from '../run-index';

/** A journal name of a run doc (`run/<id>`, not its metrics doc). */
const RUN_NAME = /^run\/([^/]+)$/;

/** What the listing needs of the client that owns it. */
export interface ListingHost {
  /** The relay (http base) and token, or null without a relay. */
  readonly relay: { http: string; token: string | null } | null;
  readonly workspace: string;
  readonly fetch: FetchLike;
  /** Names of the docs holding unacknowledged changes, and of the docs open now. */
  dirtyNames(): Promise<Set<string>>;
  openNames(): string[];
  /** Names of the docs in the journal starting with `prefix`. */
  journalNames(prefix: string): string[];
  /** The run as this client holds it (open, or in the journal), without asking the relay. */
  localRun(runId: string): Run | undefined;
}

/**
 * The rows `searchRuns` / `listRuns` search (SPEC.md SDK-17, SDK-18): the relay's index of each experiment (one
 * IndexReplica each, caught up by deltas), with the rows of the run docs this client holds open or holds
 * unacknowledged changes of laid over them; when the relay cannot answer, the rows of every run doc in the journal,
 * flagged stale.
 */
export class RunListing {
  private readonly indexes = new Map<string, IndexReplica>();

  constructor(private readonly host: ListingHost) {}

  async rows(experiments: readonly string[]): Promise<{ rows: IndexRow[]; stale: boolean }> {
    const wanted = new Set(experiments);
    const byId = new Map<string, IndexRow>();
    let stale = !this.host.relay;
    if (this.host.relay) {
      const results = await Promise.all([...wanted].map((e) => this.relayRows(e)));
      for (const r of results) {
        if (r === 'unavailable') stale = true;
        else for (const row of r) byId.set(row.runId, row);
      }
    }
    const names = stale ? this.host.journalNames('run/') : [...new Set([...(await this.host.dirtyNames()), ...this.host.openNames()])];
    if (stale) byId.clear();
    for (const name of names) {
      const m = RUN_NAME.exec(name);
      if (!m) continue;
      const run = this.host.localRun(m[1]!);
      // A doc that does not read as a run here (a snapshot still on its way) leaves the relay's row as it is.
      if (!run) continue;
      if (wanted.has(run.info.experimentId)) byId.set(m[1]!, rowFromRun(run));
      else byId.delete(m[1]!);
    }
    return { rows: [...byId.values()], stale };
  }

  /** One experiment's index rows from the relay ('unavailable': unreachable, refused or unreadable). */
  private async relayRows(experimentId: string): Promise<IndexRow[] | 'unavailable'> {
    const { http, token } = this.host.relay!;
    let replica = this.indexes.get(experimentId);
    if (!replica) this.indexes.set(experimentId, (replica = new IndexReplica()));
    try {
      await catchUp(replica, async (since, epoch) => decodeIndex(await fetchIndex(this.host.fetch, http, this.host.workspace, experimentId, token, since, epoch)));
      return replica.allRows();
    } catch (e) {
      // An experiment the relay does not know (created here, not synced yet) has no runs there.
      if (e instanceof CairnError && (e.code === 'RESOURCE_DOES_NOT_EXIST' || e.code === 'INVALID_PARAMETER_VALUE')) return [];
      // Bytes that do not decode: the next call starts from a snapshot. Offline or refused: the copy stays.
      if (e instanceof CairnError && e.code === 'DATA_LOSS') this.indexes.delete(experimentId);
      return 'unavailable';
    }
  }
}
