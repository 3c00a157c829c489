# TMU as the authors' release trains it (lambda_mem = 0: the memory loss is
# logged, not optimised; the distillers and gates learn only through the
# next-frame loss), otherwise
# tmu_convlstm_l2h16p2_src-1d-2d_1xb8-500_moving-digits-3d-16px.py.
_base_ = ['./tmu_convlstm_l2h16p2_src-1d-2d_1xb8-500_moving-digits-3d-16px.py']
model = dict(distiller=dict(distill_losses=dict(loss_mem=dict(loss_weight=0))))
