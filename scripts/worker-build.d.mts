import type { BuildOptions, Plugin } from 'esbuild';

export declare const WORKER_CHUNKS: string;
export declare const zodEnglishOnly: Plugin;
export declare function dataWorkerBuild(): BuildOptions;
