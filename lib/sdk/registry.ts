import type * as Y from 'yjs';
import { CairnError, parseInput } from '../domain';
import type { Ctx } from '../doc';
import * as reg from '../registry';

/** How long `registerModel` waits for the relay to number a version (MLflow's client waits up to 300 s for READY). */
export const AWAIT_REGISTRATION_MS = 10_000;

/** What the registry client needs from the SDK client: its command context and a flush of the workspace doc. */
export interface RegistryHost {
  readonly ctx: Ctx;
  readonly ws: Y.Doc;
  /** True when a relay is configured (else versions stay pending: only the relay numbers them, REG-N1). */
  readonly hasRelay: boolean;
  flush(opts?: { timeoutMs?: number }): Promise<void>;
}

/**
 * The SDK's model registry (SDK-25), MLflow's MlflowClient registry calls in TypeScript casing, written into the
 * workspace doc with lib/registry's commands (so offline calls work and sync later). Versions get their numbers from
 * the relay: `createModelVersion` and `registerModel` wait for it (`awaitRegistrationFor`, like MLflow's client
 * waits for READY) and answer a pending version when it does not come (offline), never a made-up number.
 */
export class RegistryClient {
  constructor(private readonly host: RegistryHost) {}

  async createRegisteredModel(name: string, opts: { description?: string; tags?: Record<string, string> } = {}): Promise<reg.RegisteredModel> {
    return reg.createRegisteredModel(this.host.ctx, { name, ...opts });
  }

  async getRegisteredModel(name: string): Promise<reg.RegisteredModel> {
    return reg.requireModel(this.host, name);
  }

  async listRegisteredModels(): Promise<readonly reg.RegisteredModel[]> {
    return reg.readRegistry(this.host.ws).models;
  }

  async renameRegisteredModel(name: string, newName: string): Promise<reg.RegisteredModel> {
    return reg.renameRegisteredModel(this.host.ctx, { name, newName });
  }

  async updateRegisteredModel(name: string, description: string): Promise<reg.RegisteredModel> {
    return reg.updateRegisteredModel(this.host.ctx, { name, description });
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    reg.deleteRegisteredModel(this.host.ctx, { name });
  }

  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    reg.setRegisteredModelTag(this.host.ctx, { name, key, value });
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    reg.deleteRegisteredModelTag(this.host.ctx, { name, key });
  }

  /** A new version of `name` from `source` (`runs:/<run>/<path>` or an artifact URI); waits for its number. */
  async createModelVersion(
    name: string,
    source: string,
    opts: { runId?: string; runLink?: string; description?: string; tags?: Record<string, string>; awaitRegistrationFor?: number } = {},
  ): Promise<reg.ModelVersion> {
    const { awaitRegistrationFor, ...rest } = opts;
    const runId = rest.runId ?? reg.sourceLocation(source)?.runId;
    const v = reg.createModelVersion(this.host.ctx, { name, source, ...rest, ...(runId ? { runId } : {}) });
    return this.awaitNumber(v.versionId, awaitRegistrationFor ?? AWAIT_REGISTRATION_MS);
  }

  /**
   * MLflow's `mlflow.register_model(model_uri, name)`: creates the registered model when it does not exist, then a
   * version from the URI (`runs:/<run>/<path>`, or a `models:/` URI of another version, whose source is copied).
   */
  async registerModel(modelUri: string, name: string, opts: { tags?: Record<string, string>; awaitRegistrationFor?: number } = {}): Promise<reg.ModelVersion> {
    const u = reg.parseModelUri(modelUri);
    let source = modelUri;
    let runId: string | undefined;
    if (u.kind === 'run') runId = u.runId;
    else {
      const r = reg.resolveModelUri(this.host.ws, modelUri);
      source = r.version?.source ?? `runs:/${r.runId}/${r.artifactPath}`;
      runId = r.runId;
    }
    // Everything the version needs is checked before the model is created: a refusal writes nothing.
    if (opts.tags) parseInput(reg.RegistryTagsSchema, opts.tags, 'tags');
    if (!reg.readRegistry(this.host.ws).modelByName(name)) reg.createRegisteredModel(this.host.ctx, { name });
    return this.createModelVersion(name, source, { ...(runId ? { runId } : {}), ...(opts.tags ? { tags: opts.tags } : {}), ...(opts.awaitRegistrationFor !== undefined ? { awaitRegistrationFor: opts.awaitRegistrationFor } : {}) });
  }

  async getModelVersion(name: string, version: number | string): Promise<reg.ModelVersion> {
    return reg.requireVersion(this.host, name, version).version;
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<reg.ModelVersion> {
    return reg.requireAlias(this.host, name, alias);
  }

  async getLatestVersions(name: string, stages: string[] = []): Promise<reg.ModelVersion[]> {
    return reg.latestVersions(this.host, name, stages);
  }

  async updateModelVersion(name: string, version: number | string, description: string): Promise<reg.ModelVersion> {
    return reg.updateModelVersion(this.host.ctx, { name, version, description });
  }

  async transitionModelVersionStage(name: string, version: number | string, stage: string, archiveExistingVersions = false): Promise<reg.ModelVersion> {
    return reg.transitionModelVersionStage(this.host.ctx, { name, version, stage, archiveExistingVersions });
  }

  async deleteModelVersion(name: string, version: number | string): Promise<void> {
    reg.deleteModelVersion(this.host.ctx, { name, version });
  }

  async setModelVersionTag(name: string, version: number | string, key: string, value: string): Promise<void> {
    reg.setModelVersionTag(this.host.ctx, { name, version, key, value });
  }

  async deleteModelVersionTag(name: string, version: number | string, key: string): Promise<void> {
    reg.deleteModelVersionTag(this.host.ctx, { name, version, key });
  }

  async setRegisteredModelAlias(name: string, alias: string, version: number | string): Promise<void> {
    reg.setRegisteredModelAlias(this.host.ctx, { name, alias, version });
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    reg.deleteRegisteredModelAlias(this.host.ctx, { name, alias });
  }

  /** A model URI (REG-U1) → the run and artifact path holding the model (REG-U2). */
  resolveModelUri(uri: string): reg.ResolvedModel {
    return reg.resolveModelUri(this.host.ws, uri);
  }

  /** The history of a model or one of its versions, with each event's outcome (REG-H2). */
  async history(name: string, version?: number | string): Promise<reg.HistoryEntry[]> {
    const model = reg.requireModel(this.host, name);
    const versionId = version === undefined ? undefined : reg.requireVersion(this.host, name, version).version.versionId;
    return reg.readRegistry(this.host.ws).history(model.modelId, versionId);
  }

  /** Sends the version to the relay and waits (up to `ms`) for the number it assigns; the pending version otherwise. */
  private async awaitNumber(versionId: string, ms: number): Promise<reg.ModelVersion> {
    const read = () => reg.readRegistry(this.host.ws).versionById(versionId)!;
    if (!this.host.hasRelay || ms <= 0) return read();
    const deadline = Date.now() + ms;
    try {
      await this.host.flush({ timeoutMs: ms });
    } catch (e) {
      // Unreachable relay: the version stays pending in the journal and is numbered when it gets there.
      if (!(e instanceof CairnError)) throw e;
      return read();
    }
    while (read().version === null) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.host.ws.off('update', done);
          resolve();
        };
        const t = setTimeout(done, left);
        this.host.ws.on('update', done);
      });
    }
    return read();
  }
}
