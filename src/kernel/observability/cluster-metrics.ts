import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * /metrics across the workers of a node:cluster (WEB_CONCURRENCY above 1). A scrape lands on one
 * worker, which asks the primary; the primary collects every worker's registry (prom-client's
 * AggregatorRegistry) and answers the sum, so counters do not jump from scrape to scrape with
 * the worker that happened to answer.
 */
const REQUEST = 'deskbase:metrics-request';
const ANSWER = 'deskbase:metrics-answer';
const TIMEOUT_MS = 5_000;

interface Request {
  type: typeof REQUEST;
  id: number;
}
interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

/** In the primary, before forking: answers the workers' requests with every worker's metrics summed. */
export function aggregateWorkerMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: Request) => {
    if (message?.type !== REQUEST) return;
    const answer = (fields: Pick<Answer, 'text' | 'error'>) => {
      if (worker.isConnected()) worker.send({ type: ANSWER, id: message.id, ...fields } satisfies Answer);
    };
    aggregator.clusterMetrics().then(
      (text) => answer({ text }),
      (error: Error) => answer({ error: error.message }),
    );
  });
}

let offered = false;
let nextId = 0;

/**
 * In a worker: offers `registry` to the primary's aggregation and returns the function that reads
 * the whole cluster's metrics. Outside a cluster, the registry's own.
 */
export function clusterWideMetrics(registry: Registry): () => Promise<string> {
  if (!cluster.isWorker) return () => registry.metrics();
  if (!offered) {
    offered = true;
    AggregatorRegistry.setRegistries([registry]);
    // Its constructor makes this worker answer the primary's collection requests.
    new AggregatorRegistry();
  }
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const onMessage = (message: Answer) => {
        if (message?.type !== ANSWER || message.id !== id) return;
        settle();
        if (message.text !== undefined) resolve(message.text);
        else reject(new Error(`metrics collection failed: ${message.error}`));
      };
      const timer = setTimeout(() => {
        settle();
        reject(new Error('metrics collection: the primary process did not answer'));
      }, TIMEOUT_MS);
      const settle = () => {
        clearTimeout(timer);
        process.off('message', onMessage);
      };
      process.on('message', onMessage);
      process.send!({ type: REQUEST, id } satisfies Request);
    });
}
