// What the Graph adapter needs to reach a simulated tenant: where it listens, the CA to trust when it serves HTTPS,
// and the app registration to authenticate as. startSimulator() returns one; the graph layer does not import the
// simulator, so the real adapter stays free of test machinery.
export interface SimulatedTenantConnection {
  /** e.g. `https://127.0.0.1:4010` */
  origin: string;
  /** PEM certificate to trust for an https origin (the simulator's self-signed certificate). */
  ca?: string | undefined;
  tenantId: string;
  tenantDisplayName: string;
  clientId: string;
  clientSecret: string;
  /** The simulated security-info page (guided enrollment), e.g. `http://localhost:41234`. */
  securityInfoUrl?: string | undefined;
}
