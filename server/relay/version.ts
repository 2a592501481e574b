/** Reported by /healthz; kept equal to package.json's version (the bundle does not read package.json at run time). */
export const RELAY_VERSION = '0.1.0';
