#!/usr/bin/env bash
# Rebuild the bundled default model from nothing, with the project's own commands and fixed seeds:
# dataset synth → train morpher → rotator → combiner → evaluate → export. Each stage resumes where it stopped,
# so the script can be killed and rerun (CPU training takes hours). Usage:
#   scripts/train_default_model.sh [WORK_DIR] [STEPS_PER_STAGE]   (default: the steps in the config)
#   FROM=DIR scripts/train_default_model.sh [WORK_DIR]   skip to the last phase, starting from the model in DIR
# The shipped model was trained by the first phase on the rig's first framing (RIG_VERSION 3, the model in
# checkpoint/ at commit ba14747), then by the last phase on the rig in THA v1's framing (RIG_VERSION 4):
#   mkdir -p runs/v3 && for f in face_morpher.pt two_algo_face_rotator.pt combiner.pt model.json; do
#     git show ba14747:checkpoint/$f > runs/v3/$f; done
#   FROM=runs/v3 scripts/train_default_model.sh runs/reframe
set -euo pipefail
work=${1:-runs/default-model}
steps=(${2:+--steps "$2"})
data=$work/data
heldout=$work/heldout
export_dir=$work/export
config=configs/default-model.toml

if [ ! -f "$data/dataset.json" ]; then
  puppeteer dataset synth --out "$data" --characters 500 --poses 24 --seed 0
elif ! puppeteer dataset validate "$data" >/dev/null; then
  puppeteer dataset synth --out "$data" --characters 500 --poses 24 --seed 0 --resume
fi

synth_once() {  # synth_once DIR [dataset synth flags...]: draw the dataset in DIR unless it is there
  local dir=$1; shift
  [ -f "$dir/dataset.json" ] || puppeteer dataset synth --out "$dir" "$@"
}

stage() {  # stage NAME [extra flags...]: train (or resume) the stage, then export it into $export_dir
  local name=$1; shift
  local run=$work/$name
  if [ -d "$run/checkpoints" ]; then
    puppeteer train "$name" --resume --out "$run" "${steps[@]}" "$@"
  else
    puppeteer train "$name" --config "$config" --dataset "$data" --out "$run" "${steps[@]}" "$@"
  fi
  puppeteer train export "$run" --out "$export_dir" --overwrite
}

polish() {  # polish RUN NAME FILE [flags...]: fine-tune the exported stage (FILE in $export_dir) in run folder RUN,
  # on $DATA when it is set, else on $data
  local run=$work/$1 name=$2 file=$3; shift 3
  if [ -d "$run/checkpoints" ]; then
    puppeteer train "$name" --resume --out "$run"
  else
    puppeteer train "$name" --config "$config" --dataset "${DATA:-$data}" --out "$run" --init "$export_dir/$file" \
      "$@" "${steps[@]}"
  fi
  puppeteer train export "$run" --out "$export_dir" --overwrite
}

rotator_cycle() {  # rotator_cycle NAME DOWNSCALE LR [STEPS [WARM-UP [flags...]]]: one more cosine cycle of the
  # rotator (1,500 steps, warm-up 50 unless given), smoothing its flow
  polish "rotator-$1" rotator two_algo_face_rotator.pt --downscale "$2" --steps "${4:-1500}" --lr "$3" \
    --warmup-steps "${5:-50}" --flow-smoothness 0.01 "${@:6}"
}

combiner_cycle() {  # combiner_cycle NAME LR [STEPS [flags...]]: the combiner, at half resolution, behind the rotator
  # as it now is
  polish "combiner-$1" combiner combiner.pt --downscale 2 --frozen "$export_dir" --steps "${3:-500}" --lr "$2" \
    --warmup-steps 50 "${@:4}"
}

first_phase() {
stage morpher
stage rotator
stage combiner --frozen "$export_dir"  # behind the first rotator, as the shipped combiner was trained
# the rotator's second cycle, with a smoothness term on its flow: clean outlines instead of frayed ones
rotator_cycle polish 1 5e-4
# two at half resolution (a quarter of the work, and sharper turns: the network sees more of the head), the
# combiner behind each
rotator_cycle half 2 5e-4
combiner_cycle half 2e-4
rotator_cycle half2 2 3e-4
combiner_cycle half2 1e-4
# four at a quarter resolution (the fast path's rotator costs a quarter as much again) at falling learning rates,
# the combiner behind each; before the second's combiner, the morpher fine-tuned onto a 96×96 face box (the eyes and
# mouth lie inside it; 56% of the 128 box's work)
rotator_cycle quarter 4 5e-4
combiner_cycle quarter 1e-4
rotator_cycle quarter2 4 3e-4
polish morpher-box96 morpher face_morpher.pt --face-box 88,80,96 --steps 1200 --lr 3e-4 --warmup-steps 50
combiner_cycle quarter2 1e-4
rotator_cycle quarter3 4 2e-4
combiner_cycle quarter3 1e-4
rotator_cycle quarter4 4 1.5e-4
combiner_cycle quarter4 1e-4
# then three long cycles at a low learning rate: each warm restart had cost 1-2 dB of validation PSNR for its first few
# hundred steps, and the first long one gained more than the cycle before it (+0.39 dB against +0.21)
rotator_cycle quarter5 4 1e-4 6000 100
combiner_cycle quarter5 1e-4 1000
rotator_cycle quarter6 4 1e-4 3000 100
combiner_cycle quarter6 1e-4
rotator_cycle quarter7 4 1e-4 3000 100
combiner_cycle quarter7 1e-4
}

if [ -n "${FROM:-}" ]; then
  [ -f "$export_dir/model.json" ] || { mkdir -p "$export_dir"; cp "$FROM"/*.pt "$FROM"/model.json "$export_dir"/; }
else
  first_phase
fi
# the last phase: onto THA v1's framing (puppeteer/template.py), where the rig now draws its characters larger and
# lower: the morpher's face box follows the eyes and mouth (rows 126-189, columns 85-171 on 200 characters; a 96 box
# at (110, 80) held out as well as a 104 one, and costs less), then rotator cycles at a quarter resolution, the
# combiner behind each
polish frame-morpher morpher face_morpher.pt --face-box 110,80,96 --steps 1500 --lr 3e-4 --warmup-steps 50
rotator_cycle frame1 4 3e-4
combiner_cycle frame1 1e-4
rotator_cycle frame2 4 1e-4 3000 100
combiner_cycle frame2 1e-4
rotator_cycle frame3 4 1e-4 6000 100
combiner_cycle frame3 1e-4 1000
rotator_cycle frame4 4 1e-4 12000 100
combiner_cycle frame4 1e-4 1000

# the real-art phase (issue 23): on `dataset synth --variety wide` characters (widening 2: half of them with pale or
# pink skin, no or thin outlines, taller eyes, small mouths, as Godette's real renders have), with rest samples
# (the pose at 0, the input as the target) so that a character unlike the rig's is left alone when nothing moves,
# and for the later rotator and combiner recoloured samples (colours from the picture, not the rig's palette)
wide=$work/wide
synth_once "$wide" --characters 300 --poses 16 --seed 0 --variety wide --widening 2
DATA=$wide polish wide-morpher morpher face_morpher.pt --face-box 110,80,96 --steps 3000 --lr 3e-4 --warmup-steps 50 \
  --rest-fraction 0.125
DATA=$wide rotator_cycle wide1 4 1e-4 3000 100 --rest-fraction 0.125
DATA=$wide rotator_cycle wide2 4 1e-4 3000 100 --rest-fraction 0.125 --recolour 0.5
DATA=$wide combiner_cycle wide2 1e-4 1000 --rest-fraction 0.125 --recolour 0.5
# then a second round with twice the rest samples (the morpher without recolouring: it measured better on Godette)
DATA=$wide polish wide-morpher2 morpher face_morpher.pt --face-box 110,80,96 --steps 3000 --lr 2e-4 --warmup-steps 50 \
  --rest-fraction 0.25
DATA=$wide rotator_cycle wide3 4 1e-4 3000 100 --rest-fraction 0.25 --recolour 0.5
DATA=$wide combiner_cycle wide3 1e-4 1000 --rest-fraction 0.25 --recolour 0.5
# then the rotator rest-anchored (the flow it predicts at no turn taken away: on Godette that flow was off by 0.34 px
# on average and blurred every line), two cycles for it to learn to turn that way, and the combiner behind it
DATA=$wide rotator_cycle anchor1 4 1e-4 1500 100 --rest-fraction 0.125 --recolour 0.5 --rest-anchor true
DATA=$wide rotator_cycle anchor2 4 1e-4 3000 100 --rest-fraction 0.125 --recolour 0.5 --rest-anchor true
DATA=$wide combiner_cycle anchor2 1e-4 1000 --rest-fraction 0.25 --recolour 0.5

# the fourth round: the morpher on widening 4 (triangle noses and faint closed mouths besides widening 3's brows,
# low mouths and raised lids: on Godette it had opened her triangle nose instead of her faint mouth and painted
# over her brows), then one long rest-anchored rotator cycle on 800 wide characters and the combiner behind it
wide4=$work/wide4
synth_once "$wide4" --characters 400 --poses 16 --seed 0 --variety wide --widening 4
DATA=$wide4 polish wide4-morpher morpher face_morpher.pt --face-box 110,80,96 --steps 6000 --lr 3e-4 --warmup-steps 50 \
  --rest-fraction 0.25
wide800=$work/wide800
synth_once "$wide800" --characters 800 --poses 16 --seed 0 --variety wide --widening 3
DATA=$wide800 rotator_cycle long 4 1e-4 7000 100 --rest-fraction 0.125 --recolour 0.5 --rest-anchor true
DATA=$wide800 combiner_cycle long 1e-4 1000 --rest-fraction 0.25 --recolour 0.5

# held-out characters: new rig seeds, never seen in training
synth_once "$heldout" --characters 40 --poses 8 --seed 1000 --val-fraction 0 --test-fraction 0.5
puppeteer evaluate --checkpoints "$export_dir" --dataset "$heldout" --split test --json "$work/evaluation.json" \
  --sheet "$work/contact_sheet.png" --overwrite
# and on Godette's real renders (assets/validation/godette/)
for kind in eyes-mouth head random; do
  puppeteer evaluate --checkpoints "$export_dir" --dataset "assets/validation/godette/$kind" --split test \
    --json "$work/evaluation-godette-$kind.json" --overwrite
done

# what model.json says about the model besides its sizes: where it comes from, its license, how good it is
python - "$export_dir" "$work" <<'PY'
import json, sys
from puppeteer.checkpoints import read_description, write_description
from puppeteer.synth import RIG_VERSION
folder, work = sys.argv[1], sys.argv[2]
report = json.load(open(f"{work}/evaluation.json"))
real = {}
for kind in ("eyes-mouth", "head", "random"):
    results = json.load(open(f"{work}/evaluation-godette-{kind}.json"))["results"]
    rows = {"chain": results["chain"]["final_image"], "fast chain": results["fast chain"]["resampled"],
            "identity (rest)": results["chain"]["identity (rest)"]}
    real[kind] = {row: {m: round(scores[m], 2) for m in ("psnr", "psnr_face")} for row, scores in rows.items()}
description = read_description(folder)
description.info.update({
    "name": "puppeteer lite default (width 16, 2 residual blocks, morpher on a 96×96 face box, rotator at a quarter "
            "and combiner at half resolution)",
    "license": "MIT, like the code: trained by talking-head-puppeteer on its own synthetic characters",
    "training_data": "puppeteer dataset synth --characters 500 --poses 24 --seed 0 (12,000 samples); then "
                     "puppeteer dataset synth --characters 300 --poses 16 --seed 0 --variety wide (widening 2); then "
                     "puppeteer dataset synth --characters 400 --poses 16 --seed 0 --variety wide --widening 4 "
                     "(morpher) and --characters 800 --poses 16 --seed 0 --variety wide --widening 3 (rotator, "
                     "combiner)",
    "recipe": "configs/default-model.toml via scripts/train_default_model.sh",
    "evaluation": {"data": "puppeteer dataset synth --characters 40 --poses 8 --seed 1000 --val-fraction 0 "
                           "--test-fraction 0.5, test split (held-out characters)",
                   "rig_version": RIG_VERSION, "framing": "THA v1's template (puppeteer/template.py)",
                   "samples": report["samples"], "space": "display (sRGB RGBA)", "results": report["results"]},
    "evaluation_real_renders": {
        "data": "assets/validation/godette/{eyes-mouth,head,random}: puppeteer dataset render-3d "
                "assets/3d/Godette_vrm_v4.vrm --poses 16 --split test --pose-kind KIND (Godette, CC BY 3.0: a real "
                "3-D anime model in THA v1's framing)",
        "space": "display (sRGB RGBA)", "results": real},
})
write_description(folder, description)
PY
echo "model in $export_dir; copy it into checkpoint/ when it beats the shipped one (see $work/evaluation.json)"
