/** Which viewer shows an artifact (ART-2): by file name first (MLflow logs most files as octet-stream), then media type. */
export type ViewerKind = 'image' | 'json' | 'table' | 'html' | 'pdf' | 'text' | 'none';

const TEXT_NAMES = new Set(['mlmodel', 'mlproject', 'license', 'readme', 'dockerfile', 'makefile', 'requirements.txt']);
const TEXT_EXT = /\.(txt|log|md|markdown|ya?ml|toml|ini|cfg|conf|py|js|ts|sh|r|sql|xml|properties|env|out|err|jsonl|ndjson|diff|patch)$/i;
const IMAGE_EXT = /\.(png|jpe?g|gif|webp|bmp|svg|ico|avif)$/i;

export function viewerKind(path: string, mediaType: string): ViewerKind {
  const name = (path.split('/').pop() ?? '').toLowerCase();
  if (/\.json$/.test(name)) return 'json';
  if (/\.(csv|tsv)$/.test(name)) return 'table';
  if (/\.html?$/.test(name)) return 'html';
  if (/\.pdf$/.test(name)) return 'pdf';
  if (IMAGE_EXT.test(name)) return 'image';
  if (TEXT_NAMES.has(name) || TEXT_EXT.test(name)) return 'text';
  const t = mediaType.toLowerCase();
  if (t.startsWith('image/')) return 'image';
  if (t === 'application/json') return 'json';
  if (t === 'text/csv' || t === 'text/tab-separated-values') return 'table';
  if (t === 'text/html') return 'html';
  if (t === 'application/pdf') return 'pdf';
  if (t.startsWith('text/') || t.endsWith('+json') || t.endsWith('yaml')) return 'text';
  return 'none';
}

/** The media type to upload a file as, when the browser does not know it: from its name (MLmodel is YAML). */
export function mediaTypeFor(name: string, browserType: string): string {
  if (browserType) return browserType;
  const k = viewerKind(name, '');
  if (k === 'json') return 'application/json';
  if (k === 'table') return /\.tsv$/i.test(name) ? 'text/tab-separated-values' : 'text/csv';
  if (k === 'html') return 'text/html';
  if (k === 'pdf') return 'application/pdf';
  if (k === 'text') return 'text/plain';
  return 'application/octet-stream';
}

/** JSON pretty-printed with 2 spaces; the text as it is when it does not parse (a cut-off head, JSON lines). */
export function prettyJson(text: string): { text: string; parsed: boolean } {
  try {
    return { text: JSON.stringify(JSON.parse(text), null, 2), parsed: true };
  } catch {
    return { text, parsed: false };
  }
}
