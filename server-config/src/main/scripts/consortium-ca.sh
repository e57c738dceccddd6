#!/usr/bin/env bash
# The consortium's certificate authority, with nothing but the JDK's keytool.
#
#   consortium-ca.sh init  <dir>                    the CA (ca.p12, kept by the consortium operator) and
#                                                   truststore.p12 (the CA certificate, for every server)
#   consortium-ca.sh issue <dir> <name> [host ...]  a key pair and certificate for a server: the coordinator,
#                                                   or a site, whose <name> must be its site code (the
#                                                   coordinator checks it against the site that calls);
#                                                   hosts go into the certificate as DNS names or IP addresses
#
# The store password comes from CIVITAS_TLS_PASSWORD (at least 6 characters). Each server gets its own
# <name>.p12 and the shared truststore.p12; ca.p12 never leaves the operator.
set -euo pipefail

password="${CIVITAS_TLS_PASSWORD:?set CIVITAS_TLS_PASSWORD to the password of the stores}"
command="${1:?usage: consortium-ca.sh init <dir> | issue <dir> <name> [host ...]}"
dir="${2:?the folder of the CA and the certificates}"
keytool="${JAVA_HOME:+$JAVA_HOME/bin/}keytool"

case "$command" in
  init)
    mkdir -p "$dir"
    if [[ -e "$dir/ca.p12" ]]; then
      echo "$dir/ca.p12 exists already; a second CA would not recognise the first one's certificates" >&2
      exit 1
    fi
    "$keytool" -genkeypair -alias ca -keyalg EC -groupname secp256r1 -validity 3650 -dname "CN=Civitas consortium CA" \
      -ext bc:c -ext ku:c=keyCertSign,cRLSign -keystore "$dir/ca.p12" -storetype PKCS12 -storepass "$password"
    "$keytool" -exportcert -rfc -alias ca -keystore "$dir/ca.p12" -storepass "$password" -file "$dir/ca.crt"
    "$keytool" -importcert -noprompt -alias civitas-ca -file "$dir/ca.crt" -keystore "$dir/truststore.p12" \
      -storetype PKCS12 -storepass "$password"
    echo "CA in $dir/ca.p12; give every server $dir/truststore.p12"
    ;;
  issue)
    name="${3:?the name of the server: coordinator, or the code of the site}"
    if [[ ! "$name" =~ ^[a-z0-9][a-z0-9-]*$ ]]; then
      echo "name '$name' must be lower-case letters, digits and dashes (a site code)" >&2
      exit 1
    fi
    shift 3
    san="dns:localhost,ip:127.0.0.1"
    for host in "$@"; do
      if [[ "$host" =~ ^[0-9.]+$ || "$host" == *:* ]]; then san="$san,ip:$host"; else san="$san,dns:$host"; fi
    done
    rm -f "$dir/$name.p12" "$dir/$name.csr" "$dir/$name.crt"
    "$keytool" -genkeypair -alias "$name" -keyalg EC -groupname secp256r1 -validity 825 -dname "CN=$name" \
      -keystore "$dir/$name.p12" -storetype PKCS12 -storepass "$password"
    "$keytool" -certreq -alias "$name" -keystore "$dir/$name.p12" -storepass "$password" -file "$dir/$name.csr"
    "$keytool" -gencert -alias ca -keystore "$dir/ca.p12" -storepass "$password" -infile "$dir/$name.csr" \
      -outfile "$dir/$name.crt" -rfc -validity 825 -ext "san=$san" -ext ku:c=digitalSignature,keyAgreement \
      -ext eku=serverAuth,clientAuth
    # The chain: the CA first, so the signed certificate can replace the self-signed one under the key.
    "$keytool" -importcert -noprompt -alias civitas-ca -file "$dir/ca.crt" -keystore "$dir/$name.p12" -storepass "$password"
    "$keytool" -importcert -noprompt -alias "$name" -file "$dir/$name.crt" -keystore "$dir/$name.p12" -storepass "$password"
    rm -f "$dir/$name.csr"
    echo "$dir/$name.p12: key and certificate of '$name' ($san), signed by the consortium CA"
    ;;
  *)
    echo "unknown command '$command': init or issue" >&2
    exit 2
    ;;
esac
