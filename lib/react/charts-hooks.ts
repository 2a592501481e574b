'use client';

/** Hooks and contract types for charts (series of many runs, zoomed ranges): each hook is a useWorkerQuery (worker-query.ts) over the worker's charts-api.ts. */
export {};
