/** Where the example's model directory goes in its run, and how its files are typed: shared by the packager and the page. */
export const IRIS_MODEL_ARTIFACT_PATH = 'model';
export const IRIS_ONNX_FILE = 'model.onnx';

/** The media type a model directory's file is uploaded as (the artifact viewers pick their viewer by it). */
export function modelFileMediaType(path: string): string {
  if (path === 'MLmodel' || /\.ya?ml$/i.test(path)) return 'text/yaml';
  if (/\.json$/i.test(path)) return 'application/json';
  if (/\.txt$/i.test(path)) return 'text/plain';
  return 'application/octet-stream';
}
