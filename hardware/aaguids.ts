// AAGUIDs: formatting (lowercase 8-4-4-4-12, as Entra and the FIDO MDS write them) and a catalogue of display names
// for known hardware keys. The names come from Microsoft's Entra-eligible FIDO2 key table, which is built from FIDO
// MDS (entra-docs concept-fido2-hardware-vendor.md, MDS version 285). They are for display only: an AAGUID read
// with getInfo is self-declared by the key, and only an attestation chained to the vendor's MDS root proves a model.
import { InvalidArgumentError } from './errors.ts';
import { toHex } from './bytes.ts';

export const ZERO_AAGUID = '00000000-0000-0000-0000-000000000000';

/** AAGUID of the bundled virtual authenticator (hardware/virtual); never a real product. */
export const VIRTUAL_AUTHENTICATOR_AAGUID = '57e466f2-2f74-44f2-a7fd-a5a438446aed';

/** 16 bytes → lowercase 8-4-4-4-12. */
export function formatAaguid(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new InvalidArgumentError(`an AAGUID is 16 bytes, got ${bytes.length}`);
  const h = toHex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Accepts an AAGUID with or without dashes, any case; returns the canonical lowercase 8-4-4-4-12 form. */
export function normalizeAaguid(text: string): string {
  const compact = text.trim().toLowerCase().replace(/-/g, '');
  const dashed = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text.trim());
  if (!/^[0-9a-f]{32}$/.test(compact) || (text.includes('-') && !dashed)) {
    throw new InvalidArgumentError(`"${text.slice(0, 48)}" is not an AAGUID (32 hex digits, optionally as 8-4-4-4-12)`);
  }
  return `${compact.slice(0, 8)}-${compact.slice(8, 12)}-${compact.slice(12, 16)}-${compact.slice(16, 20)}-${compact.slice(20)}`;
}

export function aaguidToBytes(aaguid: string): Uint8Array {
  return new Uint8Array(Buffer.from(normalizeAaguid(aaguid).replace(/-/g, ''), 'hex'));
}

export interface AaguidEntry {
  aaguid: string;
  vendor: string;
  model: string;
}

const entries: [vendor: string, model: string, aaguids: string[]][] = [
  ['Yubico', 'YubiKey 5 Series', ['cb69481e-8ff7-4039-93ec-0a2729a154a8', 'ee882879-721c-4913-9775-3dfcce97072a', '19083c3d-8383-4b18-bc03-8f1c9ab2fd1b', 'ff4dac45-ede8-4ec2-aced-cf66103f4335']],
  ['Yubico', 'YubiKey 5 Series with NFC', ['fa2b99dc-9e39-4257-8f92-4a30d23c4118', '2fc0579f-8113-47ea-b116-bb5a8db9202a', 'a25342c0-3cdc-4414-8e46-f4807fca511c', 'd7781e5d-e353-46aa-afe2-3ca49f13332a']],
  ['Yubico', 'YubiKey 5 Series with Lightning', ['c5ef55ff-ad9a-4b9f-b580-adebafe026d0', 'a02167b9-ae71-4ac7-9a07-06432ebb6f1c', '24673149-6c86-42e7-98d9-433fb5b73296']],
  ['Yubico', 'YubiKey 5 FIPS Series', ['73bb0cd4-e502-49b8-9c6f-b59445bf720b', '57f7de54-c807-4eab-b1c6-1c9be7984e92']],
  ['Yubico', 'YubiKey 5 FIPS Series with NFC', ['c1f9a0bc-1dd2-404a-b27f-8e29047a43fd', 'fcc0118f-cd45-435b-8da1-9782b2da0715']],
  ['Yubico', 'YubiKey 5 Series with NFC - Enterprise Profile', ['1ac71f64-468d-4fe0-bef1-0e5f2f551f18', '41e39911-c669-4811-b860-c6ad0b411b96', '6ab56fad-881f-4a43-acb2-0be065924522']],
  ['Yubico', 'YubiKey Bio Series - FIDO Edition', ['d8522d9f-575b-4866-88a9-ba99fa02f35b', 'dd86a2da-86a0-4cbe-b462-4bd31f57bc6f', '7409272d-1ff9-4e10-9fc9-ac0019c124fd']],
  ['Yubico', 'YubiKey Bio Series - Multi-protocol Edition', ['7d1351a6-e097-4852-b8bf-c9ac5c9ce4a3', '90636e1f-ef82-43bf-bdcf-5255f139d12f', '34744913-4f57-4e6e-a527-e9ec3c4b94e6']],
  ['Yubico', 'Security Key by Yubico', ['b92c3f9a-c014-4056-887f-140a2501163b', 'f8a011f3-8c0a-4d15-8006-17111f9edc7d']],
  ['Yubico', 'Security Key NFC by Yubico', ['a4e9fc6d-4cbe-4758-b8ba-37598bb5bbaa', 'b7d3f68e-88a6-471e-9ecf-2df26d041ede', 'e77e3c64-05e3-428b-8824-0cbeb04b829d']],
  ['Yubico', 'Security Key NFC by Yubico - Enterprise Edition', ['0bb43545-fd2c-4185-87dd-feb0b2916ace', '47ab2fb4-66ac-4184-9ae1-86be814012d5', 'ed042a3a-4b22-4455-bb69-a267b652ae7e']],
  ['Feitian', 'ePass FIDO2 Authenticator', ['833b721a-ff5f-4d00-bb2e-bdda3ec01e29']],
  ['Feitian', 'ePass FIDO2-NFC Authenticator', ['ee041bce-25e5-4cdb-8f86-897fd6418464']],
  ['Feitian', 'ePass FIDO Authenticator (CTAP 2.1)', ['12755c32-8ad1-46eb-881c-e0b38d848b09']],
  ['Feitian', 'ePass FIDO-NFC Authenticator (CTAP 2.1)', ['78ba3993-d784-4f44-8d6e-cc0a8ad5230e']],
  ['Feitian', 'BioPass FIDO2 Authenticator', ['77010bd7-212a-4fc9-b236-d2ca5e9d4084']],
  ['Feitian', 'BioPass FIDO2 Plus Authenticator', ['b6ede29c-3772-412c-8a78-539c1f4c62d2']],
  ['Feitian', 'AllinOne FIDO2 Authenticator', ['12ded745-4bed-47d4-abaa-e713f51d6393']],
  ['Feitian', 'iePass FIDO Authenticator', ['3e22415d-7fdf-4ea4-8a0c-dd60c4249b9d']],
  ['TOKEN2', 'TOKEN2 FIDO2 Security Key', ['ab32f0c6-2239-afbb-c470-d2ef4e254db7']],
  ['TOKEN2', 'TOKEN2 PIN Plus Series', ['eabb46cc-e241-80bf-ae9e-96fa6d2975cf']],
  ['Google', 'Titan Security Key v2', ['42b4fb4a-2866-43b2-9bf7-6c6669c2e5d3']],
  ['SoloKeys', 'Solo Secp256R1 FIDO2 CTAP2 Authenticator', ['8876631b-d4a0-427f-5773-0ec71c9e0279']],
  ['Google', 'OpenSK', ['664d9f67-84a2-412a-9ff7-b4f7d8ee6d05']],
  ['Nitrokey', 'Nitrokey 3 AM', ['2cd2f727-f6ca-44da-8f48-5c2e5da000a2']],
  ['Swissbit', 'iShield Key 2', ['7787a482-13e8-4784-8a06-c7ed49a7aaf4']],
  ['Thales', 'SafeNet eToken FIDO', ['efb96b10-a9ee-4b6c-a4a9-d32125ccd4a4']],
  ['AuthenTrend', 'ATKey.Pro CTAP2.1', ['e416201b-afeb-41ca-a03d-2281c28322aa']],
  ['Kensington', 'VeriMark Guard 2.1', ['09619fbf-d75e-4a62-be1d-fe4d240864ae']],
  ['breakglass', 'breakglass virtual authenticator (software, for tests and drills only)', [VIRTUAL_AUTHENTICATOR_AAGUID]],
];

/** Known AAGUIDs → vendor and model (MDS description). */
export const AAGUID_CATALOGUE: ReadonlyMap<string, AaguidEntry> = new Map(
  entries.flatMap(([vendor, model, aaguids]) => aaguids.map((aaguid) => [aaguid, { aaguid, vendor, model }] as const)),
);

/** The catalogue entry for an AAGUID (any accepted spelling), or undefined when it is not known. */
export function lookupAaguid(aaguid: string): AaguidEntry | undefined {
  let key: string;
  try {
    key = normalizeAaguid(aaguid);
  } catch {
    return undefined;
  }
  return AAGUID_CATALOGUE.get(key);
}

/** A model name for display: the catalogue name, "no AAGUID (…)" for all zeros, or "unknown model". */
export function describeAaguid(aaguid: string): string {
  if (aaguid === ZERO_AAGUID) return 'no AAGUID (the key does not identify its model)';
  return lookupAaguid(aaguid)?.model ?? 'unknown model (not in the catalogue)';
}
