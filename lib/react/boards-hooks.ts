'use client';

/** Hooks and contract types for dashboards and compare: each hook is a useWorkerQuery (worker-query.ts) over the worker's boards-api.ts. */
export {};
