// Chooses the @azure/identity credential from the graph settings (graph.md §8.2). Certificates, managed identity and
// workload identity federation are preferred in production over a client secret for an app that can mint TAPs for
// Global Administrators.
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import type { RealGraphSettings } from './graph-settings.ts';

export function createCredential(settings: RealGraphSettings): TokenCredential {
  const common = { authorityHost: settings.authorityHost };
  const c = settings.credential;
  switch (c.kind) {
    case 'secret':
      return new ClientSecretCredential(settings.tenantId, settings.clientId, c.clientSecret, common);
    case 'certificate':
      return new ClientCertificateCredential(
        settings.tenantId,
        settings.clientId,
        c.certificatePassword === undefined ? { certificatePath: c.certificatePath } : { certificatePath: c.certificatePath, certificatePassword: c.certificatePassword },
        { ...common, sendCertificateChain: c.sendCertificateChain },
      );
    case 'managed-identity':
      return c.managedIdentityClientId ? new ManagedIdentityCredential({ clientId: c.managedIdentityClientId }) : new ManagedIdentityCredential();
    case 'workload-identity':
      return new WorkloadIdentityCredential({
        tenantId: settings.tenantId,
        ...(settings.clientId ? { clientId: settings.clientId } : {}),
        ...(c.federatedTokenFile ? { tokenFilePath: c.federatedTokenFile } : {}),
        ...common,
      });
  }
}
