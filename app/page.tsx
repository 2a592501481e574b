import ExperimentsPage from '@/components/ExperimentsPage';

export default function Home() {
  return <ExperimentsPage />;
}
