#!/usr/bin/env bash
# The GPU figures of docs/performance.md in one run: QUALS's search and teacher-forced pass at
# BART-large shape (random weights, bf16; the selection in order and solved together), then the
# default preset end to end with its ConSeq seeds. Writes logs and figures to $OUT.
# On a CPU, try it small first:  OUT=/tmp/out SHAPE=tiny BATCHES="2" PRESET=smoke bash $0
set -uo pipefail
OUT=${OUT:?set OUT to a folder for the figures}
SHAPE=${SHAPE:-large} BATCHES=${BATCHES:-"32 128"} PRESET=${PRESET:-default}
PRECISION=${PRECISION:-bf16} SCALE_LIMIT=${SCALE_LIMIT:-150} RUN_LIMIT=${RUN_LIMIT:-420}
mkdir -p "$OUT"
python3 -c "import torch, transformers; print('torch', torch.__version__, 'transformers',
transformers.__version__, 'cuda', torch.cuda.is_available())" | tee "$OUT/versions.txt"
timeout "$SCALE_LIMIT" python3 -m experiments.benchmarks.quals_scale --shape "$SHAPE" \
  --precision $PRECISION --batch-sizes $BATCHES --select-rounds 0 16 \
  --json "$OUT/quals_scale.json" 2>&1 | grep -v Warning | tee "$OUT/quals_scale.log"
start=$(date +%s)
timeout "$RUN_LIMIT" python3 -m experiments.cli reproduce --preset "$PRESET" --out /tmp/run \
  --wandb disabled 2>&1 | grep -E '^\[|^\||error|Error|Traceback' | tee "$OUT/reproduce.log"
echo "reproduce wall seconds: $(( $(date +%s) - start ))" | tee -a "$OUT/reproduce.log"
cp /tmp/run/results.json /tmp/run/results.md "$OUT/" 2>/dev/null
tar czf "$OUT/stages.tgz" -C /tmp/run .stages config.yaml 2>/dev/null
exit 0
