/**
 * The validating admission webhook over HTTPS, served by `tide operator` itself (KEDA runs a
 * separate `keda-admission-webhooks` Deployment on port 9443; tide has one process to run).
 * Paths are KEDA's, so a ValidatingWebhookConfiguration written for KEDA needs only its
 * service changed:
 *   /validate-keda-sh-v1alpha1-scaledobject
 *   /validate-keda-sh-v1alpha1-scaledjob
 *   /validate-keda-sh-v1alpha1-triggerauthentication
 *   /validate-keda-sh-v1alpha1-clustertriggerauthentication
 * Every replica serves it (admission needs no leadership). The certificate is swapped in place
 * when its source renews it; connections already open keep the old one until they close.
 */
import { createServer, type Server } from 'node:https';
import type { Logger } from 'pino';
import { errorMessage } from '../../errors.js';
import type { KedaAdmission } from './admission.js';
import type { CertSource, ServingPair } from './certs.js';
import { admittedKind, readReview, respond } from './review.js';

export const WEBHOOK_PATHS = {
  ScaledObject: '/validate-keda-sh-v1alpha1-scaledobject',
  ScaledJob: '/validate-keda-sh-v1alpha1-scaledjob',
  TriggerAuthentication: '/validate-keda-sh-v1alpha1-triggerauthentication',
  ClusterTriggerAuthentication: '/validate-keda-sh-v1alpha1-clustertriggerauthentication',
} as const;

/** AdmissionReviews carry one object; etcd's limit is 1.5 MiB, so 4 MiB is plenty. */
const MAX_BODY = 4 * 1024 * 1024;

export interface WebhookServerOptions {
  admission: KedaAdmission;
  logger: Logger;
  /** Builds the certificate source; it calls `onChange` when the certificate is renewed. */
  certs: (onChange: (pair: ServingPair) => void) => CertSource;
  port: number;
  host: string;
}

export interface WebhookServer {
  port: number;
  /** Admission reviews answered, by outcome (metrics). */
  readonly counts: { allowed: number; denied: number; errors: number };
  close(): Promise<void>;
}

export async function startWebhookServer(o: WebhookServerOptions): Promise<WebhookServer> {
  // Renewals arrive after start(), once `server` exists.
  const source = o.certs((pair) => server.setSecureContext({ cert: pair.cert, key: pair.key }));
  const pair = await source.start();
  const counts = { allowed: 0, denied: 0, errors: 0 };
  const paths = new Set<string>(Object.values(WEBHOOK_PATHS));
  const server: Server = createServer({ cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    if (req.method !== 'POST' || !paths.has(url.pathname)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      void answer(Buffer.concat(chunks).toString('utf8')).then(
        (body) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(body),
        (e: unknown) => {
          counts.errors++;
          o.logger.error({ err: errorMessage(e) }, 'admission review failed');
          res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${errorMessage(e)}\n`);
        },
      );
    });
  });

  async function answer(text: string): Promise<string> {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error('the request body is not JSON');
    }
    const review = readReview(body);
    if (!review.ok) throw new Error(review.error);
    const r = review.request;
    const kind = admittedKind(r);
    const verdict = kind
      ? await o.admission.review({
          kind,
          operation: r.operation,
          ...(r.object ? { object: r.object } : {}),
          ...(r.oldObject ? { oldObject: r.oldObject } : {}),
          ...(r.dryRun !== undefined ? { dryRun: r.dryRun } : {}),
        })
      : { errors: [], warnings: [] };
    if (verdict.errors.length) {
      counts.denied++;
      o.logger.info(
        {
          object: `${r.kind.kind} ${r.namespace ?? ''}/${r.name ?? r.object?.metadata?.name ?? ''}`,
          operation: r.operation,
          errors: verdict.errors.length,
        },
        'admission denied',
      );
    } else counts.allowed++;
    return JSON.stringify(respond(r.uid, verdict));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((e: unknown) => {
    source.stop();
    throw e;
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  return {
    port,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        source.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
