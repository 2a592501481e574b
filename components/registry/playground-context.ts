'use client';

import { createContext, useContext } from 'react';
import type { ModelFilesView } from '@/lib/react';

/** What the version page knows of the version on screen, for the component mounted in its "Prediction playground" slot. */
export interface PlaygroundVersion {
  name: string;
  /** Null while the version waits for the relay's number. */
  version: number | null;
  versionId: string;
  source: string;
  /** `models:/<name>/<version>` once numbered, else the version's source (`runs:/<run>/<path>`). */
  modelUri: string;
  /** The MLmodel read from the source folder (signature, input example), when it could be read. */
  files: ModelFilesView | null;
}

export const PlaygroundVersionContext = createContext<PlaygroundVersion | null>(null);

/** The version a playground mounted on the version page is about (null outside that page). */
export function usePlaygroundVersion(): PlaygroundVersion | null {
  return useContext(PlaygroundVersionContext);
}
