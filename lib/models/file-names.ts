/** The file that describes an MLflow model folder (its flavors, signature, input example). Kept free of imports: the
 * data worker names it without loading the MLmodel parser and the YAML library (workers/SPEC.md WRK-13). */
export const MLMODEL_FILE_NAME = 'MLmodel';
