/**
 * `tide operator --webhook-port`: the validating admission webhook's flags turned into a
 * running HTTPS server, with its certificate from `--webhook-cert-dir` or tide's own Secret.
 */
import type { Logger } from 'pino';
import { KedaAdmission } from '../operator/webhook/admission.js';
import { serviceHosts } from '../operator/webhook/cert-plan.js';
import { DirCerts, SecretCerts } from '../operator/webhook/certs.js';
import { startWebhookServer, type WebhookServer } from '../operator/webhook/server.js';
import type { KubeClient } from '../targets/kubernetes/kube-client.js';
import type { OperatorCliOptions } from './operator.js';

export const WEBHOOK_DEFAULTS = {
  host: '0.0.0.0',
  certSecret: 'tide-webhook-certs',
  service: 'tide-webhook',
  config: 'tide-admission',
} as const;

export async function startWebhook(
  opts: OperatorCliOptions,
  client: KubeClient,
  logger: Logger,
): Promise<WebhookServer> {
  const port = Number(opts.webhookPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--webhook-port must be a port number, got "${opts.webhookPort}"`);
  const log = logger.child({ component: 'webhook' });
  const namespace = opts.webhookNamespace ?? process.env.POD_NAMESPACE ?? 'default';
  const service = opts.webhookService ?? WEBHOOK_DEFAULTS.service;
  const extra = (opts.webhookHosts ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const bundle = {
    client,
    logger: log,
    webhookConfig: opts.webhookConfig ?? WEBHOOK_DEFAULTS.config,
  };
  return startWebhookServer({
    admission: new KedaAdmission({
      client,
      logger: log,
      clusterObjectNamespace:
        opts.clusterObjectNamespace ?? process.env.KEDA_CLUSTER_OBJECT_NAMESPACE ?? 'keda',
    }),
    logger: log,
    port,
    host: opts.webhookHost ?? WEBHOOK_DEFAULTS.host,
    certs: (onChange) =>
      opts.webhookCertDir
        ? new DirCerts({ ...bundle, dir: opts.webhookCertDir, onChange })
        : new SecretCerts({
            ...bundle,
            namespace,
            secretName: opts.webhookCertSecret ?? WEBHOOK_DEFAULTS.certSecret,
            hosts: [...serviceHosts(service, namespace), ...extra],
            onChange,
          }),
  });
}
