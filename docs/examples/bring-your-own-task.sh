#!/usr/bin/env bash
# Bring your own task, end to end, on the server of the README's first command: a text-only task of
# two labels, a model manifest for it, a folder of texts at each demo site turned into a manifest and
# imported for the task, agreements to the plan that pins all of it, and the federation's rounds.
# Run from the repository root while the server runs. Needs curl.
set -euo pipefail

C=${CIVITAS_API:-http://localhost:8080/civitas/api}
DATA=${CIVITAS_DATA_DIR:-ear/target/server/standalone/data/civitas}
PW=${CIVITAS_DEMO_PASSWORD:-civitas-demo}
TASK=${TASK:-ticket-triage}

# The first value of a key in a JSON answer (enough for the flat fields read here).
field() { grep -o "\"$1\":\"[^\"]*\"" | head -1 | cut -d'"' -f4; }
post() { local user=$1 path=$2 body=$3; curl -sf -u "$user:$PW" -H 'Content-Type: application/json' -X POST "$C$path" -d "$body"; }

echo "1. The task and a model manifest for it (consortium administrator; both kept if registered by an earlier run)"
curl -sf -o /dev/null -u admin:$PW "$C/tasks/$TASK" || post admin /tasks '{"name": "'"$TASK"'", "description": "Route a maintenance ticket", "labels": ["urgent", "routine"],
  "modalities": ["text"], "primaryMetric": "macro-f1"}' > /dev/null
MODEL=$(post admin /model-manifests '{"name": "tickets-minilm",
  "text": {"kind": "onnx", "artifact": "classpath:all-minilm-l6-v2.onnx", "tokenizer": "classpath:all-minilm-l6-v2-tokenizer.json",
           "sha256": "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e", "dim": 384, "maxTokens": 64},
  "fusion": {"hidden": 32, "seed": 7}, "adapter": {"rank": 4, "alpha": 8, "targets": ["text_proj", "fusion"]}}' | field sha256)
echo "   model manifest $MODEL"

echo "2. Each site's own data: one sub-folder per label, one text file per ticket, turned into a manifest and imported"
URGENT=("Water is pouring through the ceiling of flat" "Smell of gas in the stairwell of block" "Lift stuck with a resident inside at"
        "Sparks from the meter cupboard at" "Front door lock broken, building open at" "No heating at all in the flats of")
ROUTINE=("Please repaint the railing at" "Schedule the yearly boiler service for" "A light bulb in the corridor is out at"
         "Replace the worn doormat at" "Trim the hedge beside the car park of" "Add a name plate to the letterbox at")
declare -A HASH
for site in energy community urban; do
  folder=$DATA/sites/$site/datasets/tickets
  rm -rf "$folder" && mkdir -p "$folder/urgent" "$folder/routine"
  for i in $(seq 1 30); do
    echo "${URGENT[$((RANDOM % 6))]} $site $i" > "$folder/urgent/$i.txt"
    echo "${ROUTINE[$((RANDOM % 6))]} $site $i" > "$folder/routine/$i.txt"
  done
  mvn -B -q -Pfolder-manifest -pl core -DskipTests package -Dfolder="$folder"
  HASH[$site]=$(post $site-steward /sites/$site/datasets '{"name": "tickets", "manifest": "datasets/tickets/manifest.jsonl",
    "task": "'"$TASK"'"}' | field contentSha256)
  echo "   $site imported tickets, content sha256 ${HASH[$site]}"
done

echo "   and a test split at the coordinator, on which every model version of the task is evaluated"
folder=$DATA/coordinator/datasets/tickets-test
rm -rf "$folder" && mkdir -p "$folder/urgent" "$folder/routine"
for i in $(seq 1 20); do
  echo "${URGENT[$((i % 6))]} the test block $i" > "$folder/urgent/$i.txt"
  echo "${ROUTINE[$((i % 6))]} the test block $i" > "$folder/routine/$i.txt"
done
mvn -B -q -Pfolder-manifest -pl core -DskipTests package -Dfolder="$folder"
post admin /tasks/$TASK/test-splits '{"name": "tickets-test", "manifest": "datasets/tickets-test/manifest.jsonl"}' > /dev/null

echo "3. The plan pins the task, the model and each site's dataset version; every enterprise agrees to exactly it"
PLAN='{"name": "Ticket triage", "task": "'"$TASK"'", "modelManifest": "'"$MODEL"'", "rounds": 3, "learningRate": 0.02,
  "batchSize": 16, "datasets": {"energy": {"name": "tickets", "sha256": "'"${HASH[energy]}"'"},
  "community": {"name": "tickets", "sha256": "'"${HASH[community]}"'"}, "urban": {"name": "tickets", "sha256": "'"${HASH[urban]}"'"}}}'
echo "   plan sha256 $(post admin /plans/preview "$PLAN" | field planSha256)"
for member in energy community urban; do
  id=$(post $member-steward /agreements '{"plan": '"$PLAN"', "datasets": ["tickets"], "modalities": ["text"],
    "purpose": "route tickets faster", "task": "ticket triage"}' | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
  for officer in $member-compliance consortium-compliance; do
    post $officer /agreements/$id/decision '{"approve": true, "comment": "approved"}' > /dev/null
  done
  echo "   agreement $id of $member approved"
done

echo "4. The federation"
FED=$(post admin /federations "$PLAN" | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
# A federation that ended has its finishing time; meanwhile each round's accuracy of the global model on the sites' data.
until curl -sf -u auditor:$PW "$C/federations/$FED" | grep -q '"finishedAt"'; do sleep 5; done
curl -sf -u auditor:$PW "$C/federations/$FED" | grep -o '"globalAccuracy":[0-9.]*' | paste -sd' '
curl -sf -u auditor:$PW "$C/federations/$FED" | grep -o '"failureReason":"[^"]*"' || echo "   federation $FED completed"
echo "   the trained model: $C/federations/$FED/models/3"
# The last version's evaluation on the test split (each follows its round by a moment).
until [ "$(curl -sf -u auditor:$PW "$C/federations/$FED" | grep -o '"split":"tickets-test"' | wc -l)" -ge 3 ]; do sleep 2; done
curl -sf -u auditor:$PW "$C/federations/$FED" | grep -o '"macroF1":[0-9.]*' | tail -1 | sed 's/^/   on tickets-test: /'

