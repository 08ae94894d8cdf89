// Which tenant breakglass is working on: a full-width strip under the header on every page, in words (not colour
// alone), so nobody mistakes the simulated demo tenant for production or the other way round. Before sign-in only the
// kind is known (the service does not tell anonymous visitors more).
import type { Status, Tenant } from '../api/types.ts';

export function TenantBadge(props: { status: Status | null; tenant: Tenant | null | undefined }) {
  const kind = props.tenant?.kind ?? props.status?.tenant?.kind;
  if (!kind) {
    return (
      <p class="tenant tenant-none" id="tenant">
        <strong class="tenant-kind">No tenant connected</strong>
      </p>
    );
  }
  const simulated = kind === 'simulated';
  const kindText = simulated ? 'SIMULATED tenant' : 'REAL Microsoft Entra tenant';
  let detail = '';
  if (props.tenant) {
    const label = props.tenant.label;
    detail = label.toLowerCase().startsWith(kindText.toLowerCase()) ? label.slice(kindText.length).trim() : label;
    if (!label.includes(props.tenant.tenantId)) detail += ` · tenant id ${props.tenant.tenantId}`;
  } else if (simulated) {
    detail = 'demo data, not Microsoft Entra ID';
  }
  return (
    <p class={`tenant ${simulated ? 'tenant-simulated' : 'tenant-real'}`} id="tenant">
      <strong class="tenant-kind">{kindText}</strong>
      {detail ? <span class="tenant-label">{detail}</span> : null}
    </p>
  );
}
