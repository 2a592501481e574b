'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useState } from 'react';
import { ARTIFACT_PARAM, withArtifact } from './artifact-link';

/**
 * The chosen artifact, read from and written to the page URL (artifact-link.ts). A file picked in the tree shows at
 * once: router.replace lands a moment later, so the pick is kept until the URL changes and then the URL is the truth
 * (a link that sets `artifact` opens that file even after another was picked).
 */
export function useArtifactParam(): [string | null, (path: string | null) => void] {
  const params = useSearchParams();
  const router = useRouter();
  const text = params.toString();
  const [pending, setPending] = useState<{ from: string; path: string | null } | null>(null);
  // Once the URL has moved on (the replace landed, or a link changed it), the URL decides: a pick kept past that would
  // hide a later link back to the URL it was picked on.
  if (pending && pending.from !== text) setPending(null);
  const selected = pending && pending.from === text ? pending.path : params.get(ARTIFACT_PARAM);
  const select = useCallback(
    (path: string | null) => {
      const from = new URLSearchParams(window.location.search).toString();
      setPending({ from, path });
      router.replace(`${window.location.pathname}?${withArtifact(from, path)}`, { scroll: false });
    },
    [router],
  );
  return [selected, select];
}
