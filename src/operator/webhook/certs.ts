/**
 * Where the webhook's serving certificate comes from, and keeping the API server's trust in it:
 *
 * - `SecretCerts` (the default): tide keeps a CA and a serving certificate in a Secret of its
 *   own namespace, issues them when missing and rotates them before they expire
 *   (cert-plan.ts), and writes the CA into the `caBundle` of every webhook of its
 *   ValidatingWebhookConfiguration. Every replica serves the webhook; any of them may issue,
 *   and the Secret's resourceVersion makes sure only one write wins (the others re-read it).
 * - `DirCerts` (`--webhook-cert-dir`): `tls.crt` and `tls.key` from a folder, typically a
 *   Secret that cert-manager fills and the kubelet mounts; re-read when they change. When the
 *   folder also has `ca.crt`, it is written into the `caBundle` too (else cert-manager's CA
 *   injector does that).
 *
 * Both check again every `refreshMs`, so a replica picks up a certificate another replica
 * (or cert-manager) renewed, and call `onChange` with the new pair.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { errorMessage } from '../../errors.js';
import { KubeApiError, type KubeClient } from '../../targets/kubernetes/kube-client.js';
import { issueCerts, renewalReason, type StoredCerts } from './cert-plan.js';

export interface ServingPair {
  cert: string;
  key: string;
}

export interface CertSource {
  /** Reads (or issues) the certificate; resolves once there is one to serve. */
  start(): Promise<ServingPair>;
  stop(): void;
}

export interface CaBundleTarget {
  client: KubeClient;
  logger: Logger;
  /** The ValidatingWebhookConfiguration to keep in sync; empty: leave `caBundle` alone. */
  webhookConfig: string;
}

const VWC_PATH = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';

interface Vwc {
  webhooks?: { name: string; clientConfig?: { caBundle?: string } }[];
}

/**
 * Writes `caPem` into the `caBundle` of every webhook of the configuration that has another
 * one. A configuration that does not exist (yet) is not an error: the next check retries.
 */
export async function syncCaBundle(t: CaBundleTarget, caPem: string): Promise<boolean> {
  if (!t.webhookConfig) return false;
  const path = `${VWC_PATH}/${t.webhookConfig}`;
  const vwc = await t.client.find<Vwc>(path);
  if (!vwc) {
    t.logger.warn(
      { webhookConfig: t.webhookConfig },
      'ValidatingWebhookConfiguration not found: its caBundle is set once it exists',
    );
    return false;
  }
  const want = Buffer.from(caPem).toString('base64');
  const ops = (vwc.webhooks ?? []).flatMap((w, i) =>
    w.clientConfig?.caBundle === want
      ? []
      : [
          // Guards against a concurrent reorder of the list between our read and this write.
          { op: 'test', path: `/webhooks/${i}/name`, value: w.name },
          { op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: want },
        ],
  );
  if (!ops.length) return false;
  await t.client.patch(path, ops, 'json');
  t.logger.info({ webhookConfig: t.webhookConfig }, 'webhook caBundle updated');
  return true;
}

export interface SecretCertsOptions extends CaBundleTarget {
  namespace: string;
  secretName: string;
  /** DNS names (and IPs) the serving certificate must carry. */
  hosts: readonly string[];
  /** @default 60_000 */
  refreshMs?: number;
  onChange: (pair: ServingPair) => void;
  /** The clock (tests). */
  now?: () => number;
}

interface SecretObject {
  metadata?: { resourceVersion?: string };
  data?: Record<string, string>;
}

const decode = (data: Record<string, string> | undefined): Partial<StoredCerts> =>
  Object.fromEntries(
    Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );

export class SecretCerts implements CertSource {
  readonly #o: SecretCertsOptions;
  #timer: NodeJS.Timeout | undefined;
  #served: string | undefined;
  #stopped = false;

  constructor(o: SecretCertsOptions) {
    this.#o = o;
  }

  get #path(): string {
    return `/api/v1/namespaces/${this.#o.namespace}/secrets/${this.#o.secretName}`;
  }

  async start(): Promise<ServingPair> {
    const stored = await this.#ensure();
    this.#served = stored['tls.crt'];
    this.#schedule();
    return { cert: stored['tls.crt'], key: stored['tls.key'] };
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#tick(), this.#o.refreshMs ?? 60_000);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    try {
      const stored = await this.#ensure();
      if (stored['tls.crt'] !== this.#served) {
        this.#served = stored['tls.crt'];
        this.#o.logger.info('webhook serving certificate reloaded');
        this.#o.onChange({ cert: stored['tls.crt'], key: stored['tls.key'] });
      }
    } catch (e) {
      this.#o.logger.warn({ err: errorMessage(e) }, 'cannot check the webhook certificate');
    } finally {
      this.#schedule();
    }
  }

  /** The stored certificates, issued or renewed first when needed; the caBundle synced. */
  async #ensure(): Promise<StoredCerts> {
    const { client, logger } = this.#o;
    const now = (this.#o.now ?? Date.now)();
    for (let attempt = 0; ; attempt++) {
      const secret = await client.find<SecretObject>(this.#path);
      const stored = decode(secret?.data);
      const reason = renewalReason(stored, this.#o.hosts, now);
      if (!reason) {
        await syncCaBundle(this.#o, stored['ca.crt'] as string);
        return stored as StoredCerts;
      }
      const next = issueCerts(stored, reason.what, this.#o.hosts, now);
      const body = {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: {
          name: this.#o.secretName,
          namespace: this.#o.namespace,
          labels: {
            'app.kubernetes.io/name': 'tide-operator',
            'app.kubernetes.io/component': 'webhook',
          },
          ...(secret?.metadata?.resourceVersion
            ? { resourceVersion: secret.metadata.resourceVersion }
            : {}),
        },
        data: Object.fromEntries(
          Object.entries(next).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
      };
      try {
        if (secret) await client.put(this.#path, body);
        else await client.post(`/api/v1/namespaces/${this.#o.namespace}/secrets`, body);
      } catch (e) {
        // Another replica wrote first: use what it wrote.
        if (e instanceof KubeApiError && (e.status === 409 || e.status === 422) && attempt < 3)
          continue;
        throw e;
      }
      logger.info(
        {
          secret: `${this.#o.namespace}/${this.#o.secretName}`,
          reason: reason.why,
          newCa: reason.what === 'ca',
        },
        'webhook serving certificate issued',
      );
      await syncCaBundle(this.#o, next['ca.crt']);
      return next;
    }
  }
}

export interface DirCertsOptions extends CaBundleTarget {
  dir: string;
  /** @default 60_000 */
  refreshMs?: number;
  onChange: (pair: ServingPair) => void;
}

export class DirCerts implements CertSource {
  readonly #o: DirCertsOptions;
  #timer: NodeJS.Timeout | undefined;
  #served: string | undefined;
  #stopped = false;

  constructor(o: DirCertsOptions) {
    this.#o = o;
  }

  async #read(): Promise<ServingPair & { ca?: string }> {
    const file = (n: string) => readFile(join(this.#o.dir, n), 'utf8');
    const [cert, key, ca] = await Promise.all([
      file('tls.crt'),
      file('tls.key'),
      file('ca.crt').catch(() => undefined),
    ]);
    return { cert, key, ...(ca ? { ca } : {}) };
  }

  async start(): Promise<ServingPair> {
    let pair: ServingPair & { ca?: string };
    try {
      pair = await this.#read();
    } catch (e) {
      throw new Error(
        `--webhook-cert-dir ${this.#o.dir}: cannot read tls.crt and tls.key: ${errorMessage(e)}`,
      );
    }
    this.#served = pair.cert;
    if (pair.ca) await syncCaBundle(this.#o, pair.ca).catch((e: unknown) => this.#warn(e));
    this.#schedule();
    return { cert: pair.cert, key: pair.key };
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #warn(e: unknown): void {
    this.#o.logger.warn({ err: errorMessage(e) }, 'cannot update the webhook caBundle');
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#tick(), this.#o.refreshMs ?? 60_000);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    try {
      const pair = await this.#read();
      if (pair.ca) await syncCaBundle(this.#o, pair.ca).catch((e: unknown) => this.#warn(e));
      if (pair.cert !== this.#served) {
        this.#served = pair.cert;
        this.#o.logger.info({ dir: this.#o.dir }, 'webhook serving certificate reloaded');
        this.#o.onChange({ cert: pair.cert, key: pair.key });
      }
    } catch (e) {
      // The kubelet swaps the files through a symlink; a read between two steps fails once.
      this.#o.logger.warn({ err: errorMessage(e) }, 'cannot read the webhook certificate');
    } finally {
      this.#schedule();
    }
  }
}
