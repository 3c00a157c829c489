# AFD (Show, Attend and Distill; Ji, Heo, Park; AAAI 2021) on the embedded
# digits transfer benchmark, with the paper's total loss:
#   CE(labelled) + KD (same weight as the plain-KD row) + beta * L_AFD.
# The AFD-only ablation plus the logit KD term of
# kd_logits_r18w32_r18w8_1xb64_digits-cls-50l.py (the plain-KD row): only
# the AFD term differs from that row.
_base_ = [
    './afd-nokd_r18w32_r18w8_1xb64_digits-cls-50l.py',
    '../_base_/distillers/kd_logits.py',
]

# the plain-KD row's term, weight 1.0 (the paper uses 0.9; ours: keep the
# rows comparable), added to the inherited AFD distiller
model = dict(distiller=_base_.kd_logits_distiller)
