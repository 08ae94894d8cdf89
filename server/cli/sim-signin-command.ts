// `breakglass sim signin`: signs an account of the SIMULATED tenant in with a virtual security key, as a performer does
// at the portal during a drill: the simulator's relying party issues request options for login.microsoft.com, the key
// answers a CTAP2 getAssertion (with the PIN, so user verification is real), and the simulator verifies the assertion
// against the registered passkey and writes a Graph-shaped beta sign-in record with authenticationDetails — which
// breakglass then finds in the sign-in logs like any other.
import { getAssertion, type RequestOptionsJSON } from '../../hardware/index.ts';
import { ENTRA_ORIGIN } from '../simulator/passkey-service.ts';
import { accessSimulatedTenant, simulatorErrorMessage, simulatorRequest } from '../simulator/simulator-access.ts';
import type { GraphSignIn } from '../graph/graph-types.ts';
import { CliError, EXIT_FAILURE, EXIT_OK, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import { cliConfig } from './cli-config.ts';
import { profileOption, readKeyPin, requireAccountOption, simKeyHelp, simKeyOptions, withVirtualKey } from './sim-key-support.ts';

export const simSigninCommand: Command = {
  words: ['sim', 'signin'],
  summary: 'Sign an account of the SIMULATED tenant in with a virtual security key (writes a sign-in log record)',
  usage: 'sim signin --account UPN [--virtual PROFILE] [--app NAME] [--pin-stdin] [--json]',
  help: [...simKeyHelp, '--app NAME           application name written to the sign-in record (default "Azure Portal")', 'Exit status: 0 signed in, 1 the sign-in failed (the failed attempt is logged too), 2 usage error.'],
  options: { ...simKeyOptions, app: { type: 'string' } },
  async run(ctx) {
    const config = cliConfig(ctx);
    const account = requireAccountOption(ctx);
    const profile = profileOption(ctx);
    const app = stringOption(ctx, 'app');
    const pin = await readKeyPin(ctx);
    const access = await accessSimulatedTenant(config, 'sim signin');
    try {
      const start = await simulatorRequest(access, 'POST', '/_simulator/sign-in/options', { user: account });
      if (start.status === 404) throw new CliError(`no user "${account}" in the simulated tenant`, EXIT_FAILURE);
      if (start.status !== 200) throw new CliError(simulatorErrorMessage(start.body), EXIT_FAILURE);
      const options = (start.body as { publicKey: RequestOptionsJSON }).publicKey;
      const outcome = await withVirtualKey(config.storage.dataDir, profile, pin, async ({ stored, key }) => {
        if (stored.credentials === 0) throw new CliError(`the virtual key ${profile} holds no credential yet; run \`breakglass sim register-key --account ${account} --virtual ${profile}\` first`, EXIT_FAILURE);
        const assertion = await getAssertion(key, options, { origin: ENTRA_ORIGIN, pin });
        stored.save(); // the signature counter moved
        const verify = await simulatorRequest(access, 'POST', '/_simulator/sign-in/verify', { user: account, response: assertion, ...(app ? { appDisplayName: app } : {}) });
        if (verify.status !== 200) throw new CliError(simulatorErrorMessage(verify.body), EXIT_FAILURE);
        return verify.body as { ok: boolean; reason?: string; signIn: GraphSignIn };
      });
      const s = outcome.signIn;
      const summary = {
        ok: outcome.ok,
        ...(outcome.reason ? { reason: outcome.reason } : {}),
        tenant: `SIMULATED tenant "${access.tenantDisplayName}"`,
        signIn: {
          id: s.id,
          createdDateTime: s.createdDateTime,
          userPrincipalName: s.userPrincipalName,
          appDisplayName: s.appDisplayName ?? null,
          errorCode: s.status.errorCode,
          methods: (s.authenticationDetails ?? []).map((d) => d.authenticationMethod),
        },
        virtualKey: profile,
      };
      if (flag(ctx, 'json')) writeJson(ctx.io, summary);
      else {
        const out = ctx.io.stdout;
        writeLine(out, outcome.ok ? `signed in: ${s.userPrincipalName} (${summary.tenant}) with the VIRTUAL key ${profile}` : `sign-in FAILED: ${s.userPrincipalName}: ${outcome.reason}`);
        writeLine(out, `  sign-in id:   ${s.id}`);
        writeLine(out, `  time (UTC):   ${s.createdDateTime}`);
        writeLine(out, `  application:  ${s.appDisplayName ?? 'unknown'}`);
        writeLine(out, `  method:       ${summary.signIn.methods.join(', ')}`);
        writeLine(out, `  result:       ${s.status.errorCode === 0 ? 'success' : `error ${s.status.errorCode}`}`);
      }
      return outcome.ok ? EXIT_OK : EXIT_FAILURE;
    } finally {
      await access.close();
    }
  },
};
