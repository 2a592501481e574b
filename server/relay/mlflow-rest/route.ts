import type { z } from 'zod';
import type { WorkspaceId } from '../../../lib/domain/index';
import type { Role } from '../token-store';
import type { DocAccess } from './docs';
import type { LoggedModels } from './logged-models';
import type { RunSearch } from './run-search';

/** The HTTP methods the route table serves (the registry updates with PATCH and deletes with DELETE and a JSON body). */
export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** What a handler is given: the workspace from the URL, the writer's actor id, the method, and the door's services. */
export interface Call {
  ws: WorkspaceId;
  actor: string;
  method: Method;
  docs: DocAccess;
  runs: RunSearch;
  models: LoggedModels;
}

/** One endpoint of the route table (SPEC REST-2): its methods, the role it needs, its request schema and handler. */
export interface Route {
  methods: readonly Method[];
  /** Under `/api/2.0/mlflow/` (and `/ajax-api/2.0/mlflow/`); a label like `logged-models/<model_id>` for a pattern route. */
  path: string;
  /** A path with an id in it (`logged-models/<model_id>`): its groups are put into the fields under `params`' names. */
  pattern?: { re: RegExp; params: readonly string[] };
  /** The role a token needs; per method where one path reads and writes (`registered-models/alias`). */
  role: Role | Partial<Record<Method, Role>>;
  /** Query keys read as repeated fields (GET). */
  repeated?: readonly string[];
  schema: z.ZodType;
  /** Returns the response object (written with protoJson) or its text already (fast paths). */
  handle(call: Call, input: never): unknown;
}

/** A route with its handler typed by its schema. */
export const route = <S extends z.ZodType>(r: Omit<Route, 'schema' | 'handle'> & { schema: S; handle(call: Call, input: z.output<S>): unknown }): Route => r as Route;

/** The role `method` needs on `r`. */
export function roleFor(r: Route, method: Method): Role {
  return typeof r.role === 'string' ? r.role : (r.role[method] ?? 'write');
}
