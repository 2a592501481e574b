import * as Comlink from 'comlink';
import { z } from 'zod';
import * as doc from '../lib/doc';
import { ArtifactPathSchema, CairnError, RunIdSchema, asRunId, invalid, notFound, parseInput, sha256Hex, type Run } from '../lib/domain';
import type { Signature } from '../lib/models';
import { MLMODEL_FILE_NAME } from '../lib/models/file-names';
import * as reg from '../lib/registry';
import type { DocHost } from '../lib/sync';
import { blobResponse, readHead } from './manage-api';
import type { ServiceCore } from './service-core';

/**
 * The data worker's functions for the model registry (components/registry/SPEC.md REGUI-W*): live reads of the
 * workspace doc's registry (lib/registry's cached view) and every lib/registry command, each one workspace write.
 * Queries subscribe to REGISTRY_TOPIC, signalled on any change of the registry's maps and history.
 */

/** The topic every registry query subscribes to. */
export const REGISTRY_TOPIC = 'registry';
/** An MLmodel or input example is read up to this much (lib/models' own cap on MLmodel text). */
const MAX_MODEL_FILE_BYTES = 4 * 1024 * 1024;
/** A model directory loaded whole into the playground (REGUI-W7): beyond this the page says so instead. */
export const MAX_MODEL_DIR_BYTES = 256 * 1024 * 1024;
/** Model file texts kept by content address (they never change): a registry change re-queries without refetching. */
const MAX_CACHED_FILES = 64;
/** Versions a compare view takes. */
export const MIN_COMPARE_VERSIONS = 2;
export const MAX_COMPARE_VERSIONS = 10;

export type { HistoryEntry, ModelVersion, RegisteredModel } from '../lib/registry';

/** A model and its live versions (numbered ones by number, pending ones last). */
export interface ModelDetail {
  model: reg.RegisteredModel;
  versions: reg.ModelVersion[];
  /**
   * REG-M3: other live models with this name (created concurrently on another device). This one owns the name; the
   * others are reached by name once this one is renamed or deleted.
   */
  sameName: number;
}

/** A version with its model. */
export interface VersionDetail {
  model: reg.RegisteredModel;
  version: reg.ModelVersion;
}

/**
 * What a version's source holds, read from its run's artifacts (REGUI-W4): the MLmodel's flavors and signature and the
 * input example. `state` says honestly why there is nothing: no run source, no MLmodel there, or a file that failed.
 */
export interface ModelFilesView {
  state: 'ok' | 'no-source' | 'no-run' | 'no-mlmodel' | 'error';
  message?: string;
  runId: string | null;
  artifactPath: string | null;
  flavors: string[];
  /** Null: the MLmodel has no signature. */
  signature: Signature | null;
  inputExample: { path: string; text: string; truncated: boolean } | null;
}

/** One version's column of a compare view: its source run's params and latest metrics, and its signature. */
export interface VersionCompareEntry {
  version: reg.ModelVersion;
  run: { runId: string; runName: string; params: Record<string, string>; metrics: Record<string, number> } | null;
  files: ModelFilesView;
}

/** A version named by number, or — while it waits for the relay's number (REG-N2) — by its id. */
const VersionRefSchema = z.union([z.number().int().positive(), z.object({ versionId: z.string().regex(/^[0-9a-f]{32}$/, 'a version id is 32 hex digits') }).strict()]);
export type VersionRef = z.infer<typeof VersionRefSchema>;
const NameSchema = z.string().min(1, "Missing value for required parameter 'name'.").max(reg.MAX_MODEL_NAME_LENGTH);
/** True when the search box holds an MLflow filter clause rather than plain text. */
function looksLikeFilter(text: string): boolean {
  return /(!=|=|<|>|\s(I?LIKE|IN)\s)/i.test(text) || /^(tags?|attributes?)\./i.test(text);
}

/** Every model a registry filter matches (all pages). */
function searchAllModels(v: reg.RegistryView, filter: string): reg.RegisteredModel[] {
  const out: reg.RegisteredModel[] = [];
  let pageToken: string | undefined;
  do {
    const r = reg.searchRegisteredModels(v, { filter, maxResults: 1000, ...(pageToken ? { pageToken } : {}) });
    out.push(...r.models);
    pageToken = r.nextPageToken ?? undefined;
  } while (pageToken);
  return out;
}

const ListQuerySchema = z.object({ nameContains: z.string().max(1000).optional() }).strict();
const CompareSchema = z
  .array(z.number().int().positive())
  .min(MIN_COMPARE_VERSIONS, `Compare needs at least ${MIN_COMPARE_VERSIONS} versions`)
  .max(MAX_COMPARE_VERSIONS, `Compare takes at most ${MAX_COMPARE_VERSIONS} versions`);
const RegisterSchema = z.object({ runId: RunIdSchema, artifactPath: ArtifactPathSchema, name: reg.ModelNameSchema, description: reg.DescriptionSchema.optional() });

/** The numbered version `n`, or the version whose id is given (pending ones included), of model `name`. */
function versionOf(view: reg.RegistryView, model: reg.RegisteredModel, ref: VersionRef): reg.ModelVersion | undefined {
  if (typeof ref === 'number') return view.version(model.modelId, ref);
  const v = view.versionById(ref.versionId);
  return v && !v.deleted && v.modelId === model.modelId ? v : undefined;
}

/** The numbered version a command needs: lib/registry's commands address versions by number. */
/** How lib/registry names the version: its number, or its id while the relay has not numbered it (REG-N2). */
function refOf(d: VersionDetail): number | { versionId: string } {
  return d.version.version ?? { versionId: d.version.versionId };
}

export function registryApi(core: ServiceCore) {
  /** Hosts whose registry maps already signal REGISTRY_TOPIC (one set of observers per host, attached on first use). */
  const observed = new WeakSet<DocHost>();
  async function host(): Promise<DocHost> {
    const h = await core.ready();
    if (!observed.has(h)) {
      observed.add(h);
      const signal = () => core.topics.signal(REGISTRY_TOPIC);
      for (const m of [doc.wsRegModels, doc.wsRegModelTags, doc.wsRegVersions, doc.wsRegVersionTags, doc.wsRegAliases]) m(h.ws).observe(signal);
      doc.wsRegHistory(h.ws).observe(signal);
    }
    return h;
  }
  /** Commands: the observers are attached first, so the writer's own views re-query too. */
  const write = async <T>(f: (c: doc.Ctx) => T): Promise<T> => {
    await host();
    return core.write(f);
  };
  const view = async () => reg.readRegistry((await host()).ws);

  async function detail(name: string, ref: VersionRef): Promise<VersionDetail | null> {
    const v = await view();
    const model = v.modelByName(parseInput(NameSchema, name, 'name'));
    if (!model) return null;
    const version = versionOf(v, model, parseInput(VersionRefSchema, ref, 'version'));
    return version ? { model, version } : null;
  }
  async function requireDetail(name: string, ref: VersionRef): Promise<VersionDetail> {
    const d = await detail(name, ref);
    if (!d) throw notFound(`Model Version (name=${name}, version=${typeof ref === 'number' ? ref : ref.versionId}) not found`);
    return d;
  }

  const texts = new Map<string, { text: string; truncated: boolean }>();
  /** The text of one artifact of a run (up to MAX_MODEL_FILE_BYTES), or null when the run has no such artifact. */
  async function artifactText(h: DocHost, run: Run, path: string): Promise<{ text: string; truncated: boolean } | null> {
    const ref = run.artifacts.find((a) => a.path === path);
    if (!ref) return null;
    const hit = texts.get(ref.sha256);
    if (hit) return hit;
    const { bytes, ended } = await readHead(await blobResponse(h, ref.sha256), MAX_MODEL_FILE_BYTES);
    const out = { text: new TextDecoder().decode(bytes), truncated: !ended };
    if (texts.size >= MAX_CACHED_FILES) texts.delete(texts.keys().next().value!);
    texts.set(ref.sha256, out);
    return out;
  }

  async function filesOf(h: DocHost, version: reg.ModelVersion): Promise<{ files: ModelFilesView; run: Run | null }> {
    const loc = reg.sourceLocation(version.source, version.runId);
    const base = { runId: loc?.runId ?? version.runId ?? null, artifactPath: loc?.artifactPath ?? null, flavors: [], signature: null, inputExample: null };
    if (!loc) return { files: { ...base, state: 'no-source', message: `The source ${version.source} is not a run's artifacts.` }, run: null };
    const run = RunIdSchema.safeParse(loc.runId).success ? ((await h.getRun(asRunId(loc.runId))) ?? null) : null;
    if (!run) return { files: { ...base, state: 'no-run', message: `Run ${loc.runId} is not in this workspace (yet: it may still be syncing).` }, run: null };
    const dir = loc.artifactPath.replace(/\/+$/, '');
    try {
      // The MLmodel parser (and the YAML library, a third of this worker's main module) loads on first use: every page
      // starts this worker, and only a model version's page reads an MLmodel (WRK-13).
      const { parseMLmodel } = await import('../lib/models/mlmodel');
      const mlmodel = await artifactText(h, run, `${dir}/${MLMODEL_FILE_NAME}`);
      if (!mlmodel) return { files: { ...base, state: 'no-mlmodel', message: `The run has no ${dir}/${MLMODEL_FILE_NAME}.` }, run };
      const m = parseMLmodel(mlmodel.text);
      const examplePath = m.saved_input_example_info?.artifact_path;
      const example = examplePath ? await artifactText(h, run, `${dir}/${examplePath}`) : null;
      return {
        files: {
          ...base,
          state: 'ok',
          flavors: Object.keys(m.flavors ?? {}).sort(),
          signature: m.signature ?? null,
          inputExample: example && examplePath ? { path: examplePath, ...example } : null,
        },
        run,
      };
    } catch (e) {
      return { files: { ...base, state: 'error', message: e instanceof Error ? e.message : String(e) }, run };
    }
  }

  return {
    // ---- reads (live: subscribe to REGISTRY_TOPIC) ------------------------------------------------------------

    /** REGUI-W1: live models, by name, each with its latest version per stage and its aliases. */
    async listRegisteredModels(raw: { nameContains?: string } = {}): Promise<reg.RegisteredModel[]> {
      const q = parseInput(ListQuerySchema, raw, 'models query');
      const v = await view();
      const text = q.nameContains?.trim() ?? '';
      if (!text) return [...v.models];
      // REGUI-W8: an MLflow filter (`tags.team = 'a'`, `name LIKE 'iris%'`) is searched as MLflow searches; plain text
      // as MLflow's UI sends it, a case-insensitive name match. Every live model (the list is not paged).
      const filter = looksLikeFilter(text) ? text : `name ILIKE '%${text.replaceAll("'", "''")}%'`;
      return searchAllModels(v, filter);
    },

    /** REGUI-W1: a model and its live versions, or null when no live model has that name. */
    async getRegisteredModel(name: string): Promise<ModelDetail | null> {
      const v = await view();
      const model = v.modelByName(parseInput(NameSchema, name, 'name'));
      if (!model) return null;
      const sameName = v.models.filter((m) => m.name === model.name && m.modelId !== model.modelId).length;
      return { model, versions: [...v.versionsOf(model.modelId)], sameName };
    },

    /** REGUI-W1: one live version (by number, or by id while pending) with its model, or null. */
    async getModelVersion(name: string, ref: VersionRef): Promise<VersionDetail | null> {
      return detail(name, ref);
    },

    /** REGUI-W2: a model's history (or one version's), oldest first, each alias and stage event with its outcome. */
    async getRegistryHistory(name: string, versionId?: string): Promise<reg.HistoryEntry[]> {
      const v = await view();
      const model = v.modelByName(parseInput(NameSchema, name, 'name'));
      if (!model) throw notFound(`Registered Model with name=${name} not found`);
      const vid = versionId === undefined ? undefined : parseInput(z.string().regex(/^[0-9a-f]{32}$/), versionId, 'version id');
      return v.history(model.modelId, vid);
    },

    /** REGUI-W4: the MLmodel (flavors, signature) and input example of a version's source run folder. */
    async getModelVersionFiles(name: string, ref: VersionRef): Promise<ModelFilesView> {
      const d = await requireDetail(name, ref);
      return (await filesOf(await host(), d.version)).files;
    },

    /**
     * REGUI-W7: every file of the version's model folder (path relative to it → bytes, each checked against its
     * sha256), for the prediction playground; the buffers are transferred. Refused past MAX_MODEL_DIR_BYTES.
     */
    async getModelVersionDirectory(name: string, ref: VersionRef): Promise<[string, Uint8Array][]> {
      const h = await host();
      const { version } = await requireDetail(name, ref);
      const loc = reg.sourceLocation(version.source, version.runId);
      if (!loc) throw invalid(`The source ${version.source} is not a run's artifacts.`);
      const run = RunIdSchema.safeParse(loc.runId).success ? await h.getRun(asRunId(loc.runId)) : null;
      if (!run) throw notFound(`Run ${loc.runId} is not in this workspace (yet: it may still be syncing).`);
      const prefix = loc.artifactPath.replace(/\/+$/, '') + '/';
      const refs = run.artifacts.filter((a) => a.path.startsWith(prefix));
      if (!refs.some((a) => a.path === prefix + MLMODEL_FILE_NAME)) throw notFound(`The run has no ${prefix}${MLMODEL_FILE_NAME}.`);
      const total = refs.reduce((n, a) => n + a.size, 0);
      if (total > MAX_MODEL_DIR_BYTES) throw invalid(`The model folder holds ${total} bytes; the playground loads at most ${MAX_MODEL_DIR_BYTES}.`);
      const out: [string, Uint8Array][] = [];
      for (const a of refs) {
        const bytes = new Uint8Array(await (await blobResponse(h, a.sha256)).arrayBuffer());
        if ((await sha256Hex(bytes)) !== a.sha256) throw new CairnError('DATA_LOSS', `${a.path}: the relay's bytes do not match its sha256`);
        out.push([a.path.slice(prefix.length), bytes]);
      }
      return Comlink.transfer(out, out.map(([, b]) => b.buffer as ArrayBuffer));
    },

    /** REGUI-W5: 2–10 numbered versions side by side: their source runs' params and latest metrics, their signatures. */
    async compareModelVersions(name: string, versions: number[]): Promise<{ model: reg.RegisteredModel; entries: VersionCompareEntry[]; missing: number[] }> {
      const ns = parseInput(CompareSchema, versions, 'versions');
      const h = await host();
      const v = reg.readRegistry(h.ws);
      const model = v.modelByName(parseInput(NameSchema, name, 'name'));
      if (!model) throw notFound(`Registered Model with name=${name} not found`);
      const entries: VersionCompareEntry[] = [];
      const missing: number[] = [];
      for (const n of new Set(ns)) {
        const version = v.version(model.modelId, n);
        if (!version) {
          missing.push(n);
          continue;
        }
        const { files, run } = await filesOf(h, version);
        entries.push({
          version,
          files,
          run: run && {
            runId: run.info.runId,
            runName: run.info.runName,
            params: run.params,
            metrics: Object.fromEntries(Object.values(run.metrics).map((m) => [m.key, m.latest])),
          },
        });
      }
      return { model, entries, missing };
    },

    // ---- commands (lib/registry; each resolves once stored here) -----------------------------------------------

    async createRegisteredModel(name: string, description?: string): Promise<reg.RegisteredModel> {
      const userId = (await host()).settings.userName;
      return write((c) => reg.createRegisteredModel(c, { name, ...(description ? { description } : {}), ...(userId ? { userId } : {}) }));
    },
    async renameRegisteredModel(name: string, newName: string): Promise<reg.RegisteredModel> {
      return write((c) => reg.renameRegisteredModel(c, { name, newName }));
    },
    async updateRegisteredModel(name: string, description: string): Promise<void> {
      await write((c) => reg.updateRegisteredModel(c, { name, description }));
    },
    async deleteRegisteredModel(name: string): Promise<void> {
      await write((c) => reg.deleteRegisteredModel(c, { name }));
    },
    async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
      await write((c) => reg.setRegisteredModelTag(c, { name, key, value }));
    },
    async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
      await write((c) => reg.deleteRegisteredModelTag(c, { name, key }));
    },

    /**
     * REGUI-W3: registers a run's model folder (one holding an MLmodel) as a new version of `name`, creating the model
     * when no live model has that name. Source `runs:/<runId>/<artifactPath>`, run id set; the version is pending
     * until the relay numbers it (REG-N1).
     */
    async registerModelFromRun(runId: string, artifactPath: string, name: string): Promise<reg.ModelVersion> {
      const inp = parseInput(RegisterSchema, { runId, artifactPath: artifactPath.replace(/\/+$/, ''), name }, 'register model');
      const h = await host();
      const run = await h.getRun(asRunId(inp.runId));
      if (!run) throw notFound(`Run '${inp.runId}' not found.`);
      if (!run.artifacts.some((a) => a.path === `${inp.artifactPath}/${MLMODEL_FILE_NAME}`)) {
        throw invalid(`The run has no model at '${inp.artifactPath}': no ${inp.artifactPath}/${MLMODEL_FILE_NAME} among its artifacts.`);
      }
      const userId = h.settings.userName;
      return write((c) => {
        if (!reg.readRegistry(c.ws).modelByName(inp.name)) reg.createRegisteredModel(c, { name: inp.name, ...(userId ? { userId } : {}) });
        return reg.createModelVersion(c, { name: inp.name, source: `runs:/${inp.runId}/${inp.artifactPath}`, runId: inp.runId, ...(userId ? { userId } : {}) });
      });
    },
    async updateModelVersion(name: string, ref: VersionRef, description: string): Promise<void> {
      const n = refOf(await requireDetail(name, ref));
      await write((c) => reg.updateModelVersion(c, { name, version: n, description }));
    },
    async transitionModelVersionStage(name: string, ref: VersionRef, stage: string, archiveExistingVersions: boolean): Promise<void> {
      const archive = parseInput(z.boolean(), archiveExistingVersions, 'archive_existing_versions');
      const n = refOf(await requireDetail(name, ref));
      await write((c) => reg.transitionModelVersionStage(c, { name, version: n, stage, archiveExistingVersions: archive }));
    },
    async deleteModelVersion(name: string, ref: VersionRef): Promise<void> {
      const n = refOf(await requireDetail(name, ref));
      await write((c) => reg.deleteModelVersion(c, { name, version: n }));
    },
    async setModelVersionTag(name: string, ref: VersionRef, key: string, value: string): Promise<void> {
      const n = refOf(await requireDetail(name, ref));
      await write((c) => reg.setModelVersionTag(c, { name, version: n, key, value }));
    },
    async deleteModelVersionTag(name: string, ref: VersionRef, key: string): Promise<void> {
      const n = refOf(await requireDetail(name, ref));
      await write((c) => reg.deleteModelVersionTag(c, { name, version: n, key }));
    },
    /** REG-A2: a pending version can carry an alias, so this one takes the version's id too. */
    async setRegisteredModelAlias(name: string, alias: string, ref: VersionRef): Promise<void> {
      const r = parseInput(VersionRefSchema, ref, 'version');
      await write((c) => reg.setRegisteredModelAlias(c, { name, alias, version: r }));
    },
    async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
      await write((c) => reg.deleteRegisteredModelAlias(c, { name, alias }));
    },
  };
}
