import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildMlruns, runId, type FixtureExperiment } from './mlruns';

export const RUN_A = runId(1);
export const RUN_B = runId(2);
export const RUN_C = runId(3);
export const RUN_D = runId(4);
export const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);

/** A small store with one of everything MLflow's file store holds, plus damage an import must survive. */
export function sampleExperiments(): FixtureExperiment[] {
  return [
    {
      id: '0',
      name: 'Default',
      runs: [
        {
          id: RUN_A,
          name: 'bold-fox-123',
          status: 3,
          start: 1_700_000_000_000,
          end: 1_700_000_100_000,
          params: { lr: '0.01', 'opt/name': 'adam', empty: '' },
          tags: { 'mlflow.source.type': 'LOCAL', team: 'vision' },
          metrics: {
            loss: [
              [1_700_000_000_001, '0.9', 0],
              [1_700_000_000_002, 'nan', 1],
              [1_700_000_000_003, 'inf', 2],
              [1_700_000_000_004, '-inf', 3],
              [1_700_000_000_005, '1e-05', 4],
              [1_700_000_000_006, '0.5', 4],
            ],
            // A two-field line (old MLflow: step 0) and one line no MLflow could read.
            'eval/acc': '1700000000010 0.25\nnot a metric line\n1700000000011 0.75 1\n',
          },
          artifacts: { 'model/weights.bin': PNG, 'notes.txt': 'hello\n', 'plots/a/b.txt': 'deep' },
          inputs: [{ name: 'iris', digest: 'abc123', source: '{"uri": "iris.csv"}', sourceType: 'local', schema: '{"mlflow_colspec": []}', context: 'training' }],
        },
        {
          id: RUN_B,
          name: 'child',
          status: 1,
          start: 1_700_000_200_000,
          end: null,
          tags: { 'mlflow.parentRunId': RUN_A },
          metrics: { loss: [[1_700_000_200_001, '0.3', 0]] },
        },
      ],
    },
    {
      id: '123',
      name: 'vision',
      tags: { 'mlflow.note.content': 'a note', owner: 'ana' },
      runs: [{ id: RUN_C, name: 'killed-one', status: 5, start: 1_700_000_300_000, end: 1_700_000_301_000, deleted: true, params: { seed: '7' } }],
    },
    {
      id: '456',
      name: 'old',
      deleted: true,
      runs: [{ id: RUN_D, name: 'gone', status: 4, start: 1_700_000_400_000, end: 1_700_000_401_000, metrics: { x: [[1, '1.0', 0]] } }],
    },
  ];
}

/** The sample store with its damage: a corrupt run meta.yaml, a folder that is not a run, a registry. */
export function buildSampleStore(root: string): void {
  buildMlruns(root, sampleExperiments());
  mkdirSync(join(root, '0', 'badrun'), { recursive: true });
  writeFileSync(join(root, '0', 'badrun', 'meta.yaml'), 'run_id: [unclosed\n  : :\n');
  mkdirSync(join(root, '0', 'notarun'), { recursive: true });
  mkdirSync(join(root, 'models', 'clf', 'version-1'), { recursive: true });
  writeFileSync(join(root, 'models', 'clf', 'meta.yaml'), 'name: clf\n');
  writeFileSync(join(root, 'models', 'clf', 'version-1', 'meta.yaml'), 'version: 1\n');
  // MIO-12: a registry MLflow's FileStore wrote: a model with a description, a tag and an alias; version 2 in
  // Production with a tag, version 3 deleted (Deleted_Internal, not read), version 4 with an alias.
  const m = join(root, 'models', 'ranker');
  for (const d of ['tags', 'aliases', 'version-2/tags', 'version-3', 'version-4']) mkdirSync(join(m, d), { recursive: true });
  writeFileSync(join(m, 'meta.yaml'), 'name: ranker\ncreation_timestamp: 1700000000000\nlast_updated_timestamp: 1700000009000\ndescription: ranks things\n');
  writeFileSync(join(m, 'tags', 'team'), 'search');
  writeFileSync(join(m, 'aliases', 'champion'), '4');
  const version = (n: number, stage: string) =>
    `name: ranker\nversion: ${n}\ncreation_timestamp: ${1_700_000_000_000 + n}\nlast_updated_timestamp: ${1_700_000_005_000 + n}\ncurrent_stage: ${stage}\ndescription: v${n}\nsource: runs:/${RUN_A}/model\nrun_id: ${RUN_A}\nrun_link: ''\nstatus: READY\nuser_id: ann\n`;
  writeFileSync(join(m, 'version-2', 'meta.yaml'), version(2, 'Production'));
  writeFileSync(join(m, 'version-2', 'tags', 'validated'), 'yes');
  writeFileSync(join(m, 'version-3', 'meta.yaml'), version(3, 'Deleted_Internal'));
  writeFileSync(join(m, 'version-4', 'meta.yaml'), version(4, 'None'));
}
