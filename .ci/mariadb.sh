#!/usr/bin/env bash
# Helpers for a PRIVATE MariaDB server used by the datasets/live tests.
#
# Sourced by .ci/run. Run directly to keep a server up while developing:
#
#   bash .ci/mariadb.sh start   # prints the export lines; the server stays up
#   bash .ci/mariadb.sh stop    # stops the server started by "start"
#
# The server gets its own datadir, socket and pid file under a temp dir, listens
# only on 127.0.0.1:${CARDINAL_MARIADB_PORT:-33061}, logs every statement to a
# slow log file (long_query_time=0) and runs performance_schema with the
# statement history consumers on. A user 'cardinal' owns database cardinal_test
# and the databases named cardinal_* (internal/server loads data sets into them).
# Durability is relaxed (no doublewrite, log flushed once a second): the
# server holds only test data.

CARDINAL_MARIADB_PORT=${CARDINAL_MARIADB_PORT:-33061}
CARDINAL_MARIADB_USER=cardinal
CARDINAL_MARIADB_PASS=${CARDINAL_MARIADB_PASS:-card1nal-ci-pw}
CARDINAL_MARIADB_DB=cardinal_test
# InnoDB buffer pool: TPC-H scale 1 (about 1.5 GB with its indexes) stays in
# memory with 2 GB, so timings measure joins rather than disk reads; the
# machines have 24 GiB. Override for small machines.
CARDINAL_MARIADB_BUFFER_POOL=${CARDINAL_MARIADB_BUFFER_POOL:-2G}
# How long to wait for the server to accept connections (seconds).
CARDINAL_MARIADB_WAIT=${CARDINAL_MARIADB_WAIT:-60}

mariadbd_bin() {
  command -v mariadbd 2>/dev/null || { [ -x /usr/sbin/mariadbd ] && echo /usr/sbin/mariadbd; } || true
}

# ensure_mariadb_installed installs mariadb-server and mariadb-client from the
# distribution (Debian bookworm: 10.11) when mariadbd is missing. Services are
# not started by the packages' scripts: a temporary policy-rc.d forbids it.
ensure_mariadb_installed() {
  if [ -n "$(mariadbd_bin)" ] && command -v mariadb >/dev/null && command -v mariadb-install-db >/dev/null; then
    return 0
  fi
  echo "ci: installing mariadb-server (apt-get)" >&2
  local policy=/usr/sbin/policy-rc.d made_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client >/dev/null
  [ -n "$made_policy" ] && rm -f "$policy"
  [ -n "$(mariadbd_bin)" ] || { echo "ci: mariadbd still missing after install" >&2; return 1; }
}

mariadb_version() { "$(mariadbd_bin)" --version | sed 's/^.*Ver //'; }

# mariadb_snapshot_key says which server a datadir snapshot is for: the
# server version and the options that shape the files on disk.
mariadb_snapshot_key() {
  echo "cardinal-mariadb-snapshot v1 $(mariadb_version) log-file-size=256M"
}

# start_private_mariadb initialises a datadir in a new temp dir, starts the
# server, creates the user and database and exports:
#   CARDINAL_TEST_DSN       the DSN of the test user
#   CARDINAL_TEST_SLOWLOG   the server's slow query log file
#   CARDINAL_TEST_ADMIN     mariadb client args for root over the socket
# Unless $1 is "keep", an EXIT trap stops the server and removes the temp dir.
#
# With CARDINAL_MARIADB_SNAPSHOT set to a directory holding a datadir saved
# by save_mariadb_snapshot for this server version, the datadir starts as a
# copy of it (databases loaded by an earlier run, e.g. TPC-H SF1, are then
# already there; internal/server.Load checks their fingerprints).
start_private_mariadb() {
  local keep=${1:-}
  CARDINAL_MARIADB_DIR=$(mktemp -d /tmp/cardinal-mariadb.XXXXXX)
  chmod 755 "$CARDINAL_MARIADB_DIR"
  export CARDINAL_MARIADB_DIR
  local dir=$CARDINAL_MARIADB_DIR
  # Take the first free port from CARDINAL_MARIADB_PORT on (another private
  # server, e.g. a developer's, may hold it).
  local tries
  for ((tries = 0; tries < 20; tries++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$CARDINAL_MARIADB_PORT") 2>/dev/null || break
    CARDINAL_MARIADB_PORT=$((CARDINAL_MARIADB_PORT + 1))
  done
  export CARDINAL_MARIADB_PORT
  local userarg=()
  [ "$(id -u)" = 0 ] && userarg=(--user=root)
  if [ "$keep" != keep ]; then
    trap stop_private_mariadb EXIT
  fi
  local snap=${CARDINAL_MARIADB_SNAPSHOT:-}
  if [ -n "$snap" ] && [ -d "$snap/data" ] && [ "$(cat "$snap/key" 2>/dev/null)" = "$(mariadb_snapshot_key)" ]; then
    echo "ci: MariaDB datadir from the snapshot $snap" >&2
    cp -a --reflink=auto "$snap/data" "$dir/data"
  else
    mariadb-install-db --no-defaults "${userarg[@]}" --datadir="$dir/data" \
      --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 || {
        cat "$dir/install.log" >&2; return 1; }
  fi
  launch_private_mariadb || return 1
  local u=$CARDINAL_MARIADB_USER p=$CARDINAL_MARIADB_PASS d=$CARDINAL_MARIADB_DB
  mariadb --no-defaults --socket="$dir/mysqld.sock" -uroot <<SQL
CREATE DATABASE IF NOT EXISTS $d CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE OR REPLACE USER '$u'@'127.0.0.1' IDENTIFIED BY '$p';
CREATE OR REPLACE USER '$u'@'localhost' IDENTIFIED BY '$p';
GRANT ALL PRIVILEGES ON $d.* TO '$u'@'127.0.0.1', '$u'@'localhost';
GRANT ALL PRIVILEGES ON \`cardinal\\_%\`.* TO '$u'@'127.0.0.1', '$u'@'localhost';
GRANT SELECT ON performance_schema.* TO '$u'@'127.0.0.1', '$u'@'localhost';
SQL
  export CARDINAL_TEST_DSN="$u:$p@tcp(127.0.0.1:$CARDINAL_MARIADB_PORT)/$d?charset=utf8mb4"
  export CARDINAL_TEST_SLOWLOG="$dir/slow.log"
  export CARDINAL_TEST_ADMIN="--no-defaults --socket=$dir/mysqld.sock -uroot"
}

# launch_private_mariadb starts mariadbd on the datadir of
# CARDINAL_MARIADB_DIR and waits until it accepts connections.
launch_private_mariadb() {
  local dir=$CARDINAL_MARIADB_DIR bin; bin=$(mariadbd_bin)
  local userarg=()
  [ "$(id -u)" = 0 ] && userarg=(--user=root)
  "$bin" --no-defaults "${userarg[@]}" --datadir="$dir/data" \
    --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" \
    --port="$CARDINAL_MARIADB_PORT" --bind-address=127.0.0.1 --skip-name-resolve \
    --log-error="$dir/error.log" \
    --slow-query-log=1 --slow-query-log-file="$dir/slow.log" --long-query-time=0 \
    --performance-schema=ON \
    --performance-schema-consumer-events-statements-current=ON \
    --performance-schema-consumer-events-statements-history=ON \
    --performance-schema-consumer-events-statements-history-long=ON \
    --performance-schema-events-statements-history-long-size=10000 \
    --innodb-buffer-pool-size="$CARDINAL_MARIADB_BUFFER_POOL" --innodb-log-file-size=256M \
    --innodb-sort-buffer-size=64M \
    --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 --skip-log-bin \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
    >>"$dir/stdout.log" 2>&1 &
  local i
  for ((i = 0; i < CARDINAL_MARIADB_WAIT * 4; i++)); do
    if mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot ping >/dev/null 2>&1; then
      break
    fi
    sleep 0.25
  done
  if ! mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot ping >/dev/null 2>&1; then
    echo "ci: MariaDB did not start; error log:" >&2
    tail -50 "$dir/error.log" >&2 || true
    return 1
  fi
}

# shutdown_private_mariadb stops the server cleanly (its datadir can then
# be copied) and waits for it to exit; the temp dir stays.
shutdown_private_mariadb() {
  local dir=$CARDINAL_MARIADB_DIR pid i
  pid=$(cat "$dir/mysqld.pid" 2>/dev/null) || return 0
  mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
  for ((i = 0; i < 480; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  echo "ci: MariaDB did not shut down in 120 s" >&2
  return 1
}

# save_mariadb_snapshot DIR stops the server, copies its datadir to DIR
# (replacing an older snapshot only once the copy is complete) and starts
# the server again. start_private_mariadb with CARDINAL_MARIADB_SNAPSHOT=DIR
# starts later runs from it.
save_mariadb_snapshot() {
  local snap=$1 dir=$CARDINAL_MARIADB_DIR
  shutdown_private_mariadb || return 1
  rm -rf "$snap.tmp" && mkdir -p "$snap.tmp" &&
    cp -a --reflink=auto "$dir/data" "$snap.tmp/data" &&
    mariadb_snapshot_key >"$snap.tmp/key" &&
    rm -rf "$snap" && mv "$snap.tmp" "$snap" || {
      echo "ci: saving the MariaDB snapshot to $snap failed" >&2; rm -rf "$snap.tmp"; }
  launch_private_mariadb
}

# stop_private_mariadb shuts the server down (SIGTERM, then SIGKILL after 30 s)
# and removes its temp dir.
stop_private_mariadb() {
  local dir=${CARDINAL_MARIADB_DIR:-}
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  if [ -f "$dir/mysqld.pid" ]; then
    local pid i
    pid=$(cat "$dir/mysqld.pid")
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 120; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case ${1:-} in
    start)
      ensure_mariadb_installed
      start_private_mariadb keep
      echo "export CARDINAL_MARIADB_DIR='$CARDINAL_MARIADB_DIR'"
      echo "export CARDINAL_TEST_DSN='$CARDINAL_TEST_DSN'"
      echo "export CARDINAL_TEST_SLOWLOG='$CARDINAL_TEST_SLOWLOG'"
      echo "export CARDINAL_TEST_ADMIN='$CARDINAL_TEST_ADMIN'"
      ;;
    stop)
      stop_private_mariadb
      ;;
    *)
      echo "usage: $0 start|stop" >&2
      exit 2
      ;;
  esac
fi
