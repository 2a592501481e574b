import type { ModelVersion, RegisteredModel } from '../../../lib/registry/index';
import { kv, put, type Json } from './entities';

/**
 * Registry read views → MLflow's proto-JSON entities (model_registry.proto), as the recorded MLflow 3.6 server writes
 * them (REST-21): `version` a string, a version's `description` and `run_link` always present (even empty), a
 * pending version (REG-N2) without `version` and with status PENDING_REGISTRATION, empty lists left out.
 */

/**
 * A ModelVersion. `aliases` only where MLflow's store fills them in (get, get-by-alias, update, transition-stage,
 * get-latest-versions); never in search results or a model's `latest_versions`.
 */
export function modelVersionJson(v: ModelVersion, opts: { aliases?: boolean } = {}): Json {
  const o: Json = { name: v.name };
  if (v.version !== null) o.version = String(v.version);
  o.creation_timestamp = v.creationTime;
  o.last_updated_timestamp = v.lastUpdatedTime;
  put(o, 'user_id', v.userId);
  o.current_stage = v.stage;
  o.description = v.description;
  o.source = v.source;
  put(o, 'run_id', v.runId);
  o.status = v.status;
  put(o, 'tags', kv(v.tags));
  o.run_link = v.runLink ?? '';
  if (opts.aliases) put(o, 'aliases', v.aliases);
  return o;
}

/** A RegisteredModel: its latest version per stage (without aliases) and its aliases of numbered versions. */
export function registeredModelJson(m: RegisteredModel): Json {
  const o: Json = { name: m.name, creation_timestamp: m.creationTime, last_updated_timestamp: m.lastUpdatedTime };
  put(o, 'user_id', m.userId);
  put(o, 'description', m.description);
  put(o, 'latest_versions', m.latestVersions.map((v) => modelVersionJson(v)));
  put(o, 'tags', kv(m.tags));
  // MLflow's alias entity carries a version number: an alias of a version still pending its number is not shown.
  put(o, 'aliases', m.aliases.filter((a) => a.version !== null).map((a) => ({ alias: a.alias, version: String(a.version) })));
  return o;
}
