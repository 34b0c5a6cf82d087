#!/usr/bin/env bash
# One-shot set-up of the example pipeline on the docker-compose stack, run once every service is
# healthy. It does what prepareExampleDatabases() and registerExampleConnectors() do for the other
# stacks (src/example/example-pipeline.ts):
#   1. the replication slot for B's subscription, on A;
#   2. the subscription on B (native logical replication A -> B);
#   3. the two Debezium connectors (docker/connect/*.json), then waits until they run.
# Every step is idempotent, so running it again (`docker compose up setup`) is safe.
set -euo pipefail

: "${PGUSER:?}" "${PGPASSWORD:?}" "${HOST_A:?}" "${HOST_B:?}" "${DATABASE_A:?}" "${DATABASE_B:?}"
: "${PUBLICATION:?}" "${SUBSCRIPTION:?}" "${CONNECT_URL:?}" "${CONNECTOR_DIR:?}"
RUNNING_TIMEOUT_S="${RUNNING_TIMEOUT_S:-120}"

psql_on() {
  local host="$1" database="$2"
  shift 2
  psql "host=${host} port=5432 dbname=${database}" -v ON_ERROR_STOP=1 -qtA "$@"
}

echo "setup: replication slot ${SUBSCRIPTION} on ${HOST_A}/${DATABASE_A}"
# Made here rather than by CREATE SUBSCRIPTION, as the other stacks do (create_slot = false below).
psql_on "$HOST_A" "$DATABASE_A" -v slot="$SUBSCRIPTION" > /dev/null <<'SQL'
SELECT pg_create_logical_replication_slot(:'slot', 'pgoutput')
WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = :'slot');
SQL

echo "setup: subscription ${SUBSCRIPTION} on ${HOST_B}/${DATABASE_B}"
# CREATE SUBSCRIPTION cannot run in a transaction or a DO block, hence the generated statement and \gexec.
psql_on "$HOST_B" "$DATABASE_B" \
  -v sub="$SUBSCRIPTION" -v pub="$PUBLICATION" \
  -v conninfo="host=${HOST_A} port=5432 dbname=${DATABASE_A} user=${PGUSER} password=${PGPASSWORD}" <<'SQL'
SELECT format(
  'CREATE SUBSCRIPTION %I CONNECTION %L PUBLICATION %I WITH (create_slot = false, slot_name = %L, copy_data = true)',
  :'sub', :'conninfo', :'pub', :'sub')
WHERE NOT EXISTS (
  SELECT 1 FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid
  WHERE s.subname = :'sub' AND d.datname = current_database())
\gexec
SQL

shopt -s nullglob
connector_files=("${CONNECTOR_DIR}"/*.json)
if [ "${#connector_files[@]}" -eq 0 ]; then
  echo "setup: no connector files in ${CONNECTOR_DIR}" >&2
  exit 1
fi

for file in "${connector_files[@]}"; do
  name="$(jq -er .name "$file")"
  echo "setup: connector ${name}"
  config="$(jq -ec .config "$file")"
  # PUT on the config creates or updates: idempotent, unlike POST /connectors. Retried because a
  # worker that has just started answers 409 while its group rebalances.
  curl -fsS --retry 15 --retry-delay 2 --retry-all-errors \
    -X PUT -H 'Content-Type: application/json' --data-binary "$config" \
    "${CONNECT_URL}/connectors/${name}/config" > /dev/null
done

# One word for a connector and its tasks: RUNNING, FAILED or PENDING (not yet, or no status yet).
connector_state() {
  curl -fsS "${CONNECT_URL}/connectors/$1/status" 2> /dev/null | jq -r '
    [.connector.state] + [.tasks[].state]
    | if any(. == "FAILED") then "FAILED"
      elif length > 1 and all(. == "RUNNING") then "RUNNING"
      else "PENDING" end' || echo PENDING
}

for file in "${connector_files[@]}"; do
  name="$(jq -er .name "$file")"
  deadline=$((SECONDS + RUNNING_TIMEOUT_S))
  until [ "$(connector_state "$name")" = RUNNING ]; do
    state="$(connector_state "$name")"
    if [ "$state" = FAILED ]; then
      echo "setup: connector ${name} failed:" >&2
      curl -fsS "${CONNECT_URL}/connectors/${name}/status" | jq -r '.. | .trace? // empty' | head -n 5 >&2
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "setup: connector ${name} not running after ${RUNNING_TIMEOUT_S}s (${state})" >&2
      exit 1
    fi
    sleep 1
  done
  echo "setup: connector ${name} running"
done
echo "setup: done"
