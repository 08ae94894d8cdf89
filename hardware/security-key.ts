// One attached security key, ready for CTAP2: the CTAPHID channel, the CTAP2 client and the key's getInfo. Opens a
// key by device, by path, or "the only key attached", and reads the inventory facts a break-glass officer records
// (what `fido2-token -I` and `ykman fido info` show): model, AAGUID, versions, options, PIN state, firmware, slots.
import { describeAaguid, lookupAaguid } from './aaguids.ts';
import { ClientPin, type ClientPinOptions } from './client-pin.ts';
import { Ctap2Client, type Ctap2ClientOptions } from './ctap2-client.ts';
import { CtapHidConnection, type CtapHidInitInfo, type CtapHidOptions } from './ctaphid-connection.ts';
import { HardwareError, NoKeyFoundError, SeveralKeysError, UnsupportedOperationError } from './errors.ts';
import type { AuthenticatorInfo } from './get-info.ts';
import type { HidDevice, HidDeviceInfo } from './hid-device.ts';
import { nodeHidBackend, type HidBackend } from './node-hid-backend.ts';

export const AAGUID_SELF_DECLARED_NOTE =
  'the AAGUID comes from getInfo and is self-declared by the key; only a verified attestation (Entra "enforce attestation" or a registration check) proves the model';

export interface OpenKeyOptions extends CtapHidOptions, Ctap2ClientOptions {
  /** Enumeration entry of the device, kept for reports. */
  descriptor?: HidDeviceInfo;
}

export interface KeyReport {
  device?: { path?: string; vendorId: number; productId: number; manufacturer?: string; product?: string; serialNumber?: string };
  ctaphid: CtapHidInitInfo;
  model: string;
  vendor?: string;
  info: AuthenticatorInfo;
  pin: {
    supported: boolean;
    set?: boolean;
    retries?: number;
    powerCycleRequired?: boolean;
    /** Why retries could not be read, when they could not. */
    error?: string;
  };
  uvRetries?: number;
  notes: string[];
}

export class SecurityKey {
  readonly connection: CtapHidConnection;
  readonly ctap: Ctap2Client;
  readonly descriptor: HidDeviceInfo | undefined;
  #info: AuthenticatorInfo;

  private constructor(connection: CtapHidConnection, ctap: Ctap2Client, info: AuthenticatorInfo, descriptor: HidDeviceInfo | undefined) {
    this.connection = connection;
    this.ctap = ctap;
    this.#info = info;
    this.descriptor = descriptor;
  }

  /** Allocates a CTAPHID channel on an open device and reads getInfo. Closes the device again on failure. */
  static async open(device: HidDevice, options: OpenKeyOptions = {}): Promise<SecurityKey> {
    const connection = await CtapHidConnection.open(device, options);
    try {
      if (!connection.info.cbor) {
        throw new UnsupportedOperationError('this key speaks only U2F (CTAP1), not FIDO2 (CTAP2): it cannot hold a passkey for Entra');
      }
      const ctap = new Ctap2Client(connection, options.strictCbor === undefined ? {} : { strictCbor: options.strictCbor });
      const info = await ctap.getInfo();
      return new SecurityKey(connection, ctap, info, options.descriptor);
    } catch (err) {
      await connection.close().catch(() => undefined);
      throw err;
    }
  }

  /** Opens the key at `path` (from `listKeys`). */
  static async openPath(path: string, options: OpenKeyOptions & { backend?: HidBackend } = {}): Promise<SecurityKey> {
    const backend = options.backend ?? nodeHidBackend();
    const list = await backend.listFidoDevices().catch(() => [] as HidDeviceInfo[]);
    const descriptor = options.descriptor ?? list.find((d) => d.path === path);
    const device = await backend.open(path);
    return SecurityKey.open(device, { ...options, ...(descriptor ? { descriptor } : {}) });
  }

  /** Opens the one key attached; no key or several keys are errors that say what to do. */
  static async openOnly(options: OpenKeyOptions & { backend?: HidBackend } = {}): Promise<SecurityKey> {
    const backend = options.backend ?? nodeHidBackend();
    const list = await backend.listFidoDevices();
    if (list.length === 0) throw new NoKeyFoundError();
    if (list.length > 1) throw new SeveralKeysError(list.map((d) => d.path ?? '?'));
    const descriptor = list[0]!;
    return SecurityKey.open(await backend.open(descriptor.path!), { ...options, descriptor });
  }

  /** getInfo as read when the key was opened (or by the last `refreshInfo`). */
  get info(): AuthenticatorInfo {
    return this.#info;
  }

  async refreshInfo(): Promise<AuthenticatorInfo> {
    this.#info = await this.ctap.getInfo();
    return this.#info;
  }

  clientPin(options: ClientPinOptions = {}): ClientPin {
    return new ClientPin(this.ctap, this.#info, options);
  }

  /** Blinks the key (CTAPHID_WINK) so a person can tell which one in the safe is meant. */
  async wink(): Promise<boolean> {
    if (!this.connection.info.wink) return false;
    await this.connection.wink();
    return true;
  }

  /** The inventory facts; reads PIN (and UV) retries, which needs neither the PIN nor a touch. */
  async report(): Promise<KeyReport> {
    const info = this.#info;
    const entry = lookupAaguid(info.aaguid);
    const report: KeyReport = {
      ctaphid: this.connection.info,
      model: describeAaguid(info.aaguid),
      info,
      pin: { supported: info.options?.clientPin !== undefined },
      notes: [AAGUID_SELF_DECLARED_NOTE],
    };
    if (entry) report.vendor = entry.vendor;
    if (this.descriptor) {
      const d = this.descriptor;
      report.device = { vendorId: d.vendorId, productId: d.productId };
      if (d.path !== undefined) report.device.path = d.path;
      if (d.manufacturer !== undefined) report.device.manufacturer = d.manufacturer;
      if (d.product !== undefined) report.device.product = d.product;
      if (d.serialNumber !== undefined) report.device.serialNumber = d.serialNumber;
    }
    if (report.pin.supported) {
      report.pin.set = info.options?.clientPin === true;
      try {
        const retries = await this.clientPin().getPinRetries();
        report.pin.retries = retries.retries;
        if (retries.powerCycleState !== undefined) report.pin.powerCycleRequired = retries.powerCycleState;
      } catch (err) {
        report.pin.error = err instanceof HardwareError ? err.message : 'could not read PIN retries';
      }
    }
    if (info.options?.uv !== undefined && report.pin.supported) {
      try {
        report.uvRetries = await this.clientPin().getUvRetries();
      } catch {
        // Keys without built-in UV retries answer INVALID_SUBCOMMAND; nothing to report then.
      }
    }
    return report;
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}

/** FIDO keys attached to this machine, through node-hid unless a backend is given. */
export async function listKeys(backend: HidBackend = nodeHidBackend()): Promise<HidDeviceInfo[]> {
  return backend.listFidoDevices();
}
