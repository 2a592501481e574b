export * from './schema';
export * from './local-store';
