/**
 * What the app's project panels need of lib/projects (components may import only lib/react and lib/domain): reading a
 * project run back from its tags and the `cairn run` lines that run it again. Re-exported, not wrapped, so the app and
 * the CLI print the same command for the same run.
 */
export {
  PROJECT_ARTIFACTS,
  PROJECT_SOURCE_TYPE,
  PROJECT_TAGS,
  fromRunCommand,
  projectRunInfo,
  reproduceCommand,
  shellQuote,
  type ProjectRunInfo,
} from '../projects';
