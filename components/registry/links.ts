/**
 * The registry pages' URLs (static export: ids in the query string, no dynamic segments). A numbered version is named
 * by model and number; a pending one (no number yet, REG-N2) by its id, so its link keeps working once it is numbered.
 */

/** `/model/?name=…` */
export function modelHref(name: string): string {
  return `/model/?name=${encodeURIComponent(name)}`;
}

/** `/model-version/?name=…&version=N`, or `&id=<versionId>` for a version still waiting for its number. */
export function versionHref(v: { name: string; version: number | null; versionId: string }): string {
  const base = `/model-version/?name=${encodeURIComponent(v.name)}`;
  return v.version === null ? `${base}&id=${v.versionId}` : `${base}&version=${v.version}`;
}

/** `/compare-versions/?name=…&versions=1,2` */
export function compareVersionsHref(name: string, versions: readonly number[]): string {
  return `/compare-versions/?name=${encodeURIComponent(name)}&versions=${versions.join(',')}`;
}

/** How a version is named on screen: `v3`, or "pending" before the relay numbered it. */
export function versionLabel(v: { version: number | null }): string {
  return v.version === null ? 'pending' : `v${v.version}`;
}

/** The version a page's query names: `version=N` (a positive integer), else `id=<32 hex>`; null when neither is valid. */
export function versionRefOf(params: { get(k: string): string | null }): number | { versionId: string } | null {
  const n = params.get('version');
  if (n !== null && /^\d+$/.test(n) && Number(n) > 0) return Number(n);
  const id = params.get('id');
  if (id !== null && /^[0-9a-f]{32}$/.test(id)) return { versionId: id };
  return null;
}
