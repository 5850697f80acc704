#!/usr/bin/env bash
# Rebuild the bundled default model from nothing, with the project's own commands and fixed seeds:
# dataset synth → train morpher → rotator → combiner → evaluate → export. Each stage resumes where it stopped,
# so the script can be killed and rerun (CPU training takes hours). Usage:
#   scripts/train_default_model.sh [WORK_DIR] [STEPS_PER_STAGE]
set -euo pipefail
work=${1:-runs/default-model}
steps=${2:-20000}
data=$work/data
export_dir=$work/export
config=configs/default-model.toml

if [ ! -f "$data/dataset.json" ]; then
  puppeteer dataset synth --out "$data" --characters 500 --poses 24 --seed 0
elif ! puppeteer dataset validate "$data" >/dev/null; then
  puppeteer dataset synth --out "$data" --characters 500 --poses 24 --seed 0 --resume
fi

stage() {  # stage NAME [extra flags...]: train (or resume) to $steps, then export into $export_dir
  local name=$1; shift
  local run=$work/$name
  if [ -d "$run/checkpoints" ]; then
    puppeteer train "$name" --resume --out "$run" --steps "$steps" "$@"
  else
    puppeteer train "$name" --config "$config" --dataset "$data" --out "$run" --steps "$steps" "$@"
  fi
  puppeteer train export "$run" --out "$export_dir" --overwrite
}

stage morpher
stage rotator
stage combiner --frozen "$export_dir"

# held-out characters: a test set of new rig seeds
if [ ! -f "$work/heldout/dataset.json" ]; then
  puppeteer dataset synth --out "$work/heldout" --characters 40 --poses 8 --seed 1000 --val-fraction 0 --test-fraction 0.5
fi
puppeteer evaluate --checkpoints "$export_dir" --dataset "$work/heldout" --split test --json "$work/evaluation.json"
echo "model in $export_dir; copy it into checkpoint/ when it beats the shipped one (see $work/evaluation.json)"
