/**
 * What the app's project panels need of lib/projects (components may import only lib/react and lib/domain): reading a
 * project run back from its tags and the `cairn run` lines that run it again. Re-exported, not wrapped, so the app and
 * the CLI print the same command for the same run.
 */
// From the pure modules themselves, not lib/projects' index: that also holds the MLproject parser (and with it the
// yaml package), which the page never needs.
export { PROJECT_ARTIFACTS, PROJECT_SOURCE_TYPE, PROJECT_TAGS } from '../projects/tags';
export { shellQuote } from '../projects/quote';
export { fromRunCommand, projectRunInfo, reproduceCommand, type ProjectRunInfo } from '../projects/reproduce';
