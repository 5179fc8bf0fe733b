import { useQuery } from '@tanstack/react-query';

/** The body of `GET /healthz` (see server/src/http/health.ts). */
export interface Health {
  status: string;
  version: string;
  uptimeSec: number;
  model: {
    pack: string;
    title?: string;
    kind: string | null;
    status: 'loading' | 'ready' | 'missing' | 'error';
    providers: string[];
    message?: string;
    fetchCommand?: string;
  };
}

async function fetchHealth(): Promise<Health> {
  const res = await fetch('/healthz');
  if (!res.ok) throw new Error(`The server answered ${res.status} to /healthz`);
  return (await res.json()) as Health;
}

/** Server and model status, refreshed while the model is still loading. */
export function useHealth() {
  return useQuery({
    queryKey: ['healthz'],
    queryFn: fetchHealth,
    refetchInterval: (q) => (q.state.data?.model.status === 'loading' ? 1_000 : false),
  });
}
