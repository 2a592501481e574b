'use client';

/** Hooks and contract types for the runs table (windows of rows, columns, grouping, key suggestions, saved views): each hook is a useWorkerQuery (worker-query.ts) over the worker's table-api.ts. */
export {};
