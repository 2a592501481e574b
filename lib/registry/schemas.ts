import { z } from 'zod';
import { KeySchema, RunIdSchema, TimestampSchema, UserIdSchema, invalid } from '../domain';

/** MLflow's model stages, in its order (reference §3). Input is case-insensitive and stored canonical (REG-S1). */
export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type Stage = (typeof STAGES)[number];

/** Registry tag values: MLflow's MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH. */
export const MAX_REGISTRY_TAG_VALUE_LENGTH = 100_000;
/** MLflow's alias limit (≤ 255 chars of `[\w-]`). */
export const MAX_ALIAS_LENGTH = 255;
/** Registered model names: what the SQL store's column holds. */
export const MAX_MODEL_NAME_LENGTH = 256;
/** Descriptions (markdown) of models and versions. */
export const MAX_DESCRIPTION_LENGTH = 100_000;

/** REG-M1: a registered model's name: non-empty, ≤ 256 chars, no `/` (a `models:/<name>/<version>` URI must name it). */
export const ModelNameSchema = z
  .string()
  .min(1, 'Registered model name cannot be empty.')
  .max(MAX_MODEL_NAME_LENGTH, `Registered model name must be at most ${MAX_MODEL_NAME_LENGTH} characters.`)
  .refine((s) => s.trim().length > 0, 'Registered model name cannot be empty.')
  .refine((s) => !s.includes('/'), "Registered model name cannot contain '/' (models:/<name>/<version> URIs name it).");

export const RegistryTagValueSchema = z
  .string()
  .max(MAX_REGISTRY_TAG_VALUE_LENGTH, `tag value must be at most ${MAX_REGISTRY_TAG_VALUE_LENGTH} characters`);
export const RegistryTagsSchema = z.record(KeySchema, RegistryTagValueSchema);
export const DescriptionSchema = z.string().max(MAX_DESCRIPTION_LENGTH, `description must be at most ${MAX_DESCRIPTION_LENGTH} characters`);

/** REG-A1: `[\w-]`, ≤ 255 chars; `latest` (any case) and `v<digits>` are reserved, in MLflow's words. */
export const AliasSchema = z
  .string()
  .min(1, 'Alias name cannot be empty.')
  .max(MAX_ALIAS_LENGTH, `Alias name must be at most ${MAX_ALIAS_LENGTH} characters.`)
  .superRefine((s, ctx) => {
    if (!/^[\w-]*$/.test(s)) ctx.addIssue({ code: 'custom', message: `Invalid alias name: '${s}'. Names may only contain alphanumerics, underscores (_) and dashes (-).` });
    else if (s.toLowerCase() === 'latest') ctx.addIssue({ code: 'custom', message: "'latest' alias name (case insensitive) is reserved." });
    else if (/^v\d+$/i.test(s)) ctx.addIssue({ code: 'custom', message: `Version alias name '${s}' is reserved.` });
  });

/** A version number as MLflow's API carries it (a string of digits) or a number. */
export const VersionNumberSchema = z.preprocess(
  (v) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : v),
  z.number({ error: (i) => `Parameter 'version' must be an integer, got '${String(i.input)}'.` }).int().positive(),
);

/** REG-S1: a stage in any case → MLflow's canonical spelling. */
export const StageSchema = z.string().transform((s, ctx): Stage => {
  const hit = STAGES.find((x) => x.toLowerCase() === s.trim().toLowerCase());
  if (!hit) {
    ctx.addIssue({ code: 'custom', message: `Invalid Model Version stage: ${s}. Value must be one of ${STAGES.join(', ')}.` });
    return z.NEVER;
  }
  return hit;
});

export const SourceSchema = z.string().min(1, 'Model version source cannot be empty.').max(5000);
export const OptionalRunIdSchema = RunIdSchema.optional();
export { KeySchema, TimestampSchema, UserIdSchema };

/**
 * A value checked with one of these schemas, whose messages are MLflow's own words: refused with that message alone
 * (no "Invalid value for …" prefix), so the REST door answers exactly what MLflow does (reserved aliases, stages).
 */
export function parseInMlflowWords<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw invalid(r.error.issues[0]?.message ?? 'invalid value');
}
