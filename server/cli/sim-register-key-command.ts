// `breakglass sim register-key`: puts a passkey for an account of the SIMULATED tenant on a virtual security key,
// the way Entra's admin provisioning works (graph.md §2.2–2.4): Graph creationOptions for the account, a CTAP2
// makeCredential on the key with origin https://login.microsoft.com, then POST …/fido2Methods. The simulator applies the
// tenant's FIDO2 policy (targets, passkey profiles, attestation, AAGUID allow-list) exactly as for a real key.
import { createCredential, type CreationOptionsJSON } from '../../hardware/index.ts';
import { ENTRA_ORIGIN } from '../simulator/passkey-service.ts';
import { connectDirectory } from '../simulator/open-directory.ts';
import { SimulatorOnlyError } from '../simulator/simulator-access.ts';
import { EXIT_OK, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import { cliConfig } from './cli-config.ts';
import { profileOption, readKeyPin, requireAccountOption, simKeyHelp, simKeyOptions, withVirtualKey } from './sim-key-support.ts';

export const simRegisterKeyCommand: Command = {
  words: ['sim', 'register-key'],
  summary: 'Register a virtual security key for an account of the SIMULATED tenant (Graph creationOptions + POST)',
  usage: 'sim register-key --account UPN [--virtual PROFILE] [--name NAME] [--pin-stdin] [--json]',
  help: [...simKeyHelp, '--name NAME          display name of the passkey in the tenant (default "Virtual key (<profile>)")', 'Exit status: 0 registered, 1 refused by the tenant or the key, 2 usage error.'],
  options: { ...simKeyOptions, name: { type: 'string' } },
  async run(ctx) {
    const config = cliConfig(ctx);
    if (config.graph.mode !== 'simulated') throw new SimulatorOnlyError('sim register-key');
    const account = requireAccountOption(ctx);
    const profile = profileOption(ctx);
    const pin = await readKeyPin(ctx);
    const opened = await connectDirectory({ graph: config.graph, simulator: config.simulator, dataDir: config.storage.dataDir });
    try {
      const directory = opened.directory;
      const user = await directory.getUser(account);
      const options = await directory.getPasskeyCreationOptions(user.id);
      const pk = options.publicKey;
      const creation: CreationOptionsJSON = {
        challenge: pk.challenge,
        rp: { id: pk.rp.id, name: pk.rp.name ?? pk.rp.id },
        user: { id: pk.user.id, name: pk.user.name, displayName: pk.user.displayName ?? pk.user.name },
        pubKeyCredParams: pk.pubKeyCredParams.map((p) => ({ alg: p.alg, type: 'public-key' as const })),
        ...(pk.timeout === undefined ? {} : { timeout: pk.timeout }),
        ...(pk.excludeCredentials ? { excludeCredentials: pk.excludeCredentials.map((c) => ({ id: c.id, type: 'public-key' as const, ...(c.transports ? { transports: c.transports } : {}) })) } : {}),
        authenticatorSelection: {
          ...(pk.authenticatorSelection?.authenticatorAttachment ? { authenticatorAttachment: pk.authenticatorSelection.authenticatorAttachment } : {}),
          ...(pk.authenticatorSelection?.requireResidentKey === undefined ? {} : { requireResidentKey: pk.authenticatorSelection.requireResidentKey }),
          userVerification: (pk.authenticatorSelection?.userVerification as 'required' | 'preferred' | 'discouraged' | undefined) ?? 'required',
        },
        attestation: (pk.attestation as CreationOptionsJSON['attestation']) ?? 'direct',
      };
      const displayName = stringOption(ctx, 'name') ?? `Virtual key (${profile.replace(/^.*[\\/]/, '').replace(/\.json$/, '')})`;
      const { method, stored } = await withVirtualKey(config.storage.dataDir, profile, pin, async ({ stored, key }) => {
        const reg = await createCredential(key, creation, { origin: ENTRA_ORIGIN, pin });
        const created = await directory.createPasskey(user.id, {
          displayName,
          publicKeyCredential: { id: reg.id, response: { clientDataJSON: reg.response.clientDataJSON, attestationObject: reg.response.attestationObject } },
        });
        // Saved only once the tenant accepted it: a refused registration leaves the key file as it was.
        stored.save();
        return { method: created, stored };
      });
      const result = {
        account: user.userPrincipalName,
        methodId: method.id,
        displayName: method.displayName ?? displayName,
        aaguid: method.aaGuid ?? null,
        model: method.model ?? null,
        attestationLevel: method.attestationLevel ?? null,
        virtualKey: { profile, file: stored.file, credentials: stored.key.authenticator.state.credentials },
        tenant: directory.mode.label,
      };
      if (flag(ctx, 'json')) writeJson(ctx.io, result);
      else {
        const out = ctx.io.stdout;
        writeLine(out, `registered a passkey on the VIRTUAL key for ${result.account} (${result.tenant})`);
        writeLine(out, `  method id:    ${result.methodId}`);
        writeLine(out, `  name:         ${result.displayName}`);
        writeLine(out, `  model:        ${result.model ?? 'unknown'} (AAGUID ${result.aaguid ?? 'unknown'}), ${result.attestationLevel ?? 'unknown attestation'}`);
        writeLine(out, `  virtual key:  ${result.virtualKey.file} (${result.virtualKey.credentials} credential${result.virtualKey.credentials === 1 ? '' : 's'})`);
      }
      return EXIT_OK;
    } finally {
      await opened.close();
    }
  },
};
