// A virtual FIDO2 security key: the CTAP2 authenticator and its CTAPHID layer behind the same device interface
// node-hid gives (`open()` returns a handle that takes 65-byte writes and emits 64-byte `data` reports). The client
// code that talks to a real key over node-hid talks to this one unchanged. Used by tests, demos and training drills.
import { EventEmitter } from 'node:events';
import type { HidDeviceInfo } from '../hid-device.ts';
import { FIDO_USAGE_CTAPHID, FIDO_USAGE_PAGE } from '../hid-device.ts';
import { DEFAULT_VIRTUAL_PROFILE, resolveKeyProfile, type KeyProfile } from '../key-profile.ts';
import { DeviceDisconnectedError } from '../errors.ts';
import { UserPresence, type UserPresenceMode } from './user-presence.ts';
import { VirtualAuthenticator, type VirtualAttestation, type VirtualAuthenticatorState } from './virtual-authenticator.ts';
import { VirtualCtapHid } from './virtual-ctaphid.ts';
import { VirtualHidDevice } from './virtual-hid-device.ts';

export interface VirtualSecurityKeyOptions {
  /** A PIN set at power-up. Kept in memory as its hash only. */
  pin?: string;
  /** 'test-ca' (default): packed attestation from the bundled test CA; 'self': self attestation. */
  attestation?: VirtualAttestation;
  /** How the simulated person touches the key (default: immediately). */
  presence?: UserPresenceMode;
  /** How long the key waits for a touch before USER_ACTION_TIMEOUT (default 30 s). */
  touchTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  messageTimeoutMs?: number;
  /** Milliseconds clock for token timers and the reset window. */
  now?: () => number;
  randomBytes?: (length: number) => Uint8Array;
  /** Device path reported by enumeration; default `virtual:<profile file name>`. */
  path?: string;
}

export interface VirtualSecurityKeyEvents {
  wink: [];
}

export class VirtualSecurityKey extends EventEmitter<VirtualSecurityKeyEvents> {
  readonly profile: KeyProfile;
  readonly presence: UserPresence;
  readonly authenticator: VirtualAuthenticator;
  readonly descriptor: HidDeviceInfo;
  readonly #hid: VirtualCtapHid;
  readonly #handles = new Set<VirtualHidDevice>();
  #plugged = true;

  /** A virtual key from a profile file path or a built-in profile name (default: breakglass-virtual). */
  static async load(profile: string = DEFAULT_VIRTUAL_PROFILE, options: VirtualSecurityKeyOptions = {}): Promise<VirtualSecurityKey> {
    return new VirtualSecurityKey(await resolveKeyProfile(profile), options);
  }

  constructor(profile: KeyProfile, options: VirtualSecurityKeyOptions = {}) {
    super();
    this.profile = profile;
    this.presence = new UserPresence(options.presence ?? { kind: 'immediate' }, options.touchTimeoutMs ?? 30_000);
    this.authenticator = new VirtualAuthenticator({
      profile,
      presence: this.presence,
      ...(options.pin === undefined ? {} : { pin: options.pin }),
      ...(options.attestation === undefined ? {} : { attestation: options.attestation }),
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.randomBytes === undefined ? {} : { randomBytes: options.randomBytes }),
    });
    this.#hid = new VirtualCtapHid(this.authenticator, (report) => this.#broadcast(report), {
      deviceVersion: profile.ctaphid.deviceVersion,
      capabilities: profile.ctaphid.capabilities,
      ...(options.keepaliveIntervalMs === undefined ? {} : { keepaliveIntervalMs: options.keepaliveIntervalMs }),
      ...(options.messageTimeoutMs === undefined ? {} : { messageTimeoutMs: options.messageTimeoutMs }),
      ...(options.randomBytes === undefined ? {} : { randomBytes: options.randomBytes }),
      onWink: () => this.emit('wink'),
    });
    const slug = profile.source.replace(/^builtin:/, '').replace(/^.*[\\/]/, '').replace(/\.json$/, '');
    const { major, minor } = profile.ctaphid.deviceVersion;
    this.descriptor = {
      vendorId: profile.usb.vendorId,
      productId: profile.usb.productId,
      path: options.path ?? `virtual:${slug}`,
      manufacturer: profile.usb.manufacturer,
      product: profile.usb.product ?? profile.name,
      serialNumber: profile.usb.serialNumber,
      release: (major << 8) | minor,
      interface: 0,
      usagePage: FIDO_USAGE_PAGE,
      usage: FIDO_USAGE_CTAPHID,
    };
  }

  /** Opens a handle, as `HID.HIDAsync.open(path)` would. Every handle sees every input report (hidraw). */
  open(): VirtualHidDevice {
    if (!this.#plugged) throw new DeviceDisconnectedError('the virtual key is unplugged');
    const handle = new VirtualHidDevice(
      {
        receive: (report) => this.#hid.receive(report),
        detach: (h) => this.#handles.delete(h),
      },
      this.descriptor,
    );
    this.#handles.add(handle);
    return handle;
  }

  /** Touch the key while it waits for user presence. Returns false when it was not waiting. */
  touch(): boolean {
    return this.presence.touch();
  }

  deny(): boolean {
    return this.presence.deny();
  }

  /** Re-insert the key: clears PIN_AUTH_BLOCKED, channels, tokens and anything in flight. Credentials and PIN stay. */
  powerCycle(): void {
    this.#hid.reset();
    this.authenticator.powerCycle();
  }

  /** Pull the key: open handles fail with a read error, and `open()` fails until `plugIn()`. */
  unplug(): void {
    this.#plugged = false;
    this.#hid.reset();
    for (const h of [...this.#handles]) h.fail('device disconnected');
    this.#handles.clear();
  }

  plugIn(): void {
    if (this.#plugged) return;
    this.#plugged = true;
    this.authenticator.powerCycle();
  }

  get state(): VirtualAuthenticatorState {
    return this.authenticator.state;
  }

  get openHandles(): number {
    return this.#handles.size;
  }

  #broadcast(report: Uint8Array): void {
    for (const h of this.#handles) h.deliver(report);
  }
}
