'use client';

/** Hooks and contract types for experiment and run management, run descriptions and artifacts: each hook is a useWorkerQuery (worker-query.ts) over the worker's manage-api.ts. */
export {};
