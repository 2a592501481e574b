export * from './errors';
export * from './limits';
export * from './ids';
export * from './schemas';
export * from './stored-record';
export * from './python-float';
