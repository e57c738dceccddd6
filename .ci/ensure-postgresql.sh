#!/usr/bin/env bash
# Ensures a PostgreSQL server answers on 127.0.0.1:5432 with trust auth for user postgres and a
# database named test, installing and starting Debian's package where none is there.
set -euo pipefail

ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! ready; then
  if ! ls -d /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "Installing PostgreSQL..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  conf=/etc/postgresql/$version/main
  # Trust local connections, as the tests connect without a password.
  if ! grep -qE '^host\s+all\s+all\s+127.0.0.1/32\s+trust' "$conf/pg_hba.conf"; then
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nlocal all all trust' "$conf/pg_hba.conf"
  fi
  echo "Starting PostgreSQL $version..."
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do ready && break; sleep 1; done
fi
ready || { echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2; exit 1; }

if ! psql -h 127.0.0.1 -U postgres -d test -Atc 'select 1' >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -d postgres -c 'CREATE DATABASE test' >/dev/null
fi
echo "PostgreSQL ready on 127.0.0.1:5432 (database test)"
