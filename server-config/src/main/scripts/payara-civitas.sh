#!/usr/bin/env bash
# Civitas on Payara Server 6: a domain of its own, the PostgreSQL driver, the configuration of
# ../asadmin/configure-civitas.asadmin, and the EAR.
#
#   payara-civitas.sh <payara home> <domain> <port base> <postgresql driver jar> <civitas.ear>
#
# The port base sets every port of a new domain: admin <base>+48, HTTP <base>+80, HTTPS <base>+81.
# The server reads the database and the application's settings from the environment this script
# runs in (CIVITAS_DB_URL, CIVITAS_DB_USER, CIVITAS_DB_PASSWORD, CIVITAS_WORKER_HOME, ...; see
# configure-civitas.asadmin): the domain keeps running, with that environment, when the script ends.
# Stop it with: <payara home>/bin/asadmin stop-domain <domain>
set -euo pipefail

usage="usage: payara-civitas.sh <payara home> <domain> <port base> <postgresql driver jar> <civitas.ear>"
payara="${1:?$usage}"
domain="${2:?$usage}"
portbase="${3:?$usage}"
driver="${4:?$usage}"
ear="${5:?$usage}"
here="$(cd "$(dirname "$0")" && pwd)"
asadmin="$payara/bin/asadmin"
admin_port=$((portbase + 48))

: "${CIVITAS_WORKER_HOME:?set CIVITAS_WORKER_HOME to the model worker folder, a copy of ear/target/server/civitas-worker}"
: "${CIVITAS_DB_URL:?set CIVITAS_DB_URL to the PostgreSQL JDBC URL (EclipseLink, the JPA of Payara, cannot use H2 2.x)}"
[[ -f "$driver" ]] || { echo "no PostgreSQL driver at $driver" >&2; exit 1; }
[[ -f "$ear" ]] || { echo "no EAR at $ear: build it with mvn -pl ear -am package" >&2; exit 1; }

if [[ ! -d "$payara/glassfish/domains/$domain" ]]; then
  "$asadmin" create-domain --nopassword --portbase "$portbase" "$domain"
fi
# What add-library --type common does, before the domain starts, so no restart is needed.
cp "$driver" "$payara/glassfish/domains/$domain/lib/"
"$asadmin" start-domain "$domain"
if ! "$asadmin" --port "$admin_port" list-jdbc-connection-pools | grep -qx CivitasPool; then
  "$asadmin" --port "$admin_port" multimode --file "$here/../asadmin/configure-civitas.asadmin"
fi
"$asadmin" --port "$admin_port" deploy --force=true --name civitas "$ear"
