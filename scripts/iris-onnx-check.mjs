// Exports the built-in Iris example's two models (logistic regression, MLP) to ONNX and runs the reference checker on
// them: `onnx.checker.check_model(model, full_check=True)` (full_check also runs shape inference) from Debian's
// python3-onnx. Independent of `npm test`, which never needs Python: `node scripts/iris-onnx-check.mjs`.
// Exits 0 when both pass; 2 when python3-onnx is not installed (`apt-get install python3-onnx`).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'cairn-iris-onnx-'));
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
try {
  const bundle = join(dir, 'iris.cjs');
  await build({ entryPoints: [join(root, 'lib/examples/iris/index.ts')], bundle: true, format: 'cjs', platform: 'node', outfile: bundle, logLevel: 'warning' });
  const iris = (await import(pathToFileURL(bundle).href)).default;
  const files = [];
  for (const kind of iris.IRIS_MODEL_KINDS) {
    const r = iris.trainIris(iris.defaultIrisParams(kind));
    const path = join(dir, `iris-${kind}.onnx`);
    writeFileSync(path, iris.exportIrisOnnx(r.model));
    files.push(path);
  }
  const check = `
import sys, onnx
print("onnx", onnx.__version__)
for path in sys.argv[1:]:
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    g = m.graph
    print(path.rsplit("/", 1)[-1], "ok: ir_version", m.ir_version, "opset", [(o.domain or "ai.onnx", o.version) for o in m.opset_import],
          "producer", m.producer_name, "nodes", [n.op_type for n in g.node],
          "outputs", [(o.name, o.type.tensor_type.elem_type, [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim]) for o in g.output])
`;
  try {
    execFileSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' });
  } catch {
    console.error(`iris-onnx-check: ${PYTHON} cannot import onnx (apt-get install python3-onnx)`);
    process.exitCode = 2;
  }
  if (!process.exitCode) execFileSync(PYTHON, ['-c', check, ...files], { stdio: 'inherit' });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
