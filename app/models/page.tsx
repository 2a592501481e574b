import type { Metadata } from 'next';
import ModelsPage from '@/components/registry/ModelsPage';

export const metadata: Metadata = { title: 'Models · Cairn' };

export default function Models() {
  return <ModelsPage />;
}
