import { CairnError } from '@/lib/domain';

/** The CairnError code `f` throws, or 'NO_ERROR' when it returns; anything else it throws is rethrown. */
export function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof CairnError) return e.code;
    throw e;
  }
  return 'NO_ERROR';
}
