/**
 * KEDA's TriggerAuthentication / ClusterTriggerAuthentication webhook rules (keda.md §1.2, last
 * paragraph): pod identity fields that are set must be usable, and oauth2 must be complete.
 */
import type { ClusterTriggerAuthentication, TriggerAuthentication } from './types.js';
import type { RuleIssue } from './validate-scaled-object.js';

export function triggerAuthenticationRules(
  a: TriggerAuthentication | ClusterTriggerAuthentication,
): RuleIssue[] {
  const out: RuleIssue[] = [];
  const err = (path: string, message: string) => out.push({ path, message, severity: 'error' });
  const pi = a.spec.podIdentity;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  if (pi?.provider === 'azure-workload') {
    if (str(pi['identityId']) === '')
      err('spec.podIdentity.identityId', 'must not be empty when set');
    const tenant = str(pi['identityTenantId']);
    if (tenant === '') err('spec.podIdentity.identityTenantId', 'must not be empty when set');
    if (str(pi['identityAuthorityHost']) && !tenant)
      err('spec.podIdentity.identityAuthorityHost', 'requires a non-empty identityTenantId');
  }
  if (pi?.provider === 'aws') {
    const roleArn = str(pi['roleArn']);
    if (roleArn && pi['identityOwner'] === 'workload')
      err('spec.podIdentity.roleArn', 'is not allowed with identityOwner "workload"');
    if (str(pi['externalID']) && !roleArn) err('spec.podIdentity.externalID', 'requires roleArn');
  }
  const o = a.spec.oauth2;
  if (o) {
    if (o['type'] !== 'clientCredentials')
      err('spec.oauth2.type', `must be clientCredentials, got ${JSON.stringify(o['type'] ?? '')}`);
    if (!str(o['clientId'])) err('spec.oauth2.clientId', 'is required');
    const url = str(o['tokenUrl']);
    if (!url || !/^https?:\/\/\S+$/.test(url))
      err('spec.oauth2.tokenUrl', `must be an http(s) URL, got ${JSON.stringify(url ?? '')}`);
  }
  return out;
}
