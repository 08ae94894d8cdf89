#!/bin/sh
# Made once to create the virtual authenticator's test attestation PKI; the outputs are committed and this script
# is kept as the record of how (OpenSSL 3.0). The root CA's private key is deleted at the end on purpose: nobody can
# mint more certificates under this root, so trusting it trusts exactly these two attestation certificates.
#
# Certificates follow WebAuthn L3 §8.2.1 (packed attestation certificate requirements): X.509 v3, subject
# C/O/OU="Authenticator Attestation"/CN, basicConstraints CA:FALSE, and — for the breakglass virtual AAGUID only —
# the id-fido-gen-ce-aaguid extension 1.3.6.1.4.1.45724.1.1.4 holding the AAGUID as an OCTET STRING.
# Validity 2025-01-01 … 2075-01-01 so that tests do not start failing on a date.
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/db" && : > "$work/db/index.txt" && echo 01 > "$work/db/serial"

cat > "$work/ca.cnf" <<CNF
[ca]
default_ca = testca
[testca]
database = $work/db/index.txt
serial = $work/db/serial
new_certs_dir = $work/db
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
countryName = supplied
organizationName = supplied
organizationalUnitName = optional
commonName = supplied
[root_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[virtual_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
# 57e466f2-2f74-44f2-a7fd-a5a438446aed = hardware/aaguids.ts VIRTUAL_AUTHENTICATOR_AAGUID
1.3.6.1.4.1.45724.1.1.4 = ASN1:FORMAT:HEX,OCTETSTRING:57e466f22f7444f2a7fda5a438446aed
[generic_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

dates="-startdate 20250101000000Z -enddate 20750101000000Z"
openssl ecparam -name prime256v1 -genkey -noout -out "$work/root.key"
openssl req -new -key "$work/root.key" -subj "/C=ZZ/O=breakglass test attestation (NOT FOR PRODUCTION)/CN=breakglass virtual authenticator test root CA" -out "$work/root.csr"
openssl ca -batch -config "$work/ca.cnf" -selfsign -keyfile "$work/root.key" -in "$work/root.csr" $dates -extensions root_ext -notext -out test-attestation-root.pem

leaf() { # name cn extensions-section
  openssl ecparam -name prime256v1 -genkey -noout -out "$work/$1.key"
  openssl pkcs8 -topk8 -nocrypt -in "$work/$1.key" -out "$1.key.pem"
  openssl req -new -key "$work/$1.key" -subj "/C=ZZ/O=breakglass test attestation (NOT FOR PRODUCTION)/OU=Authenticator Attestation/CN=$2" -out "$work/$1.csr"
  openssl ca -batch -config "$work/ca.cnf" -cert test-attestation-root.pem -keyfile "$work/root.key" -in "$work/$1.csr" $dates -extensions "$3" -notext -out "$1.pem"
}
leaf virtual-attestation "breakglass virtual authenticator attestation" virtual_ext
# For profiles that replay another model's AAGUID: no AAGUID extension, which WebAuthn allows.
leaf generic-attestation "breakglass virtual authenticator attestation (any AAGUID)" generic_ext
chmod 644 ./*.pem
