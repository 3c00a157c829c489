# AFD + KD (the paper's total) on the 100-label transfer setting of
# configs/kd (8x8 digits for teacher and student), the AFD row of `make
# demo`. Everything else as in the 50-label config it derives from.
_base_ = ['./afd_r18w32_r18w8_1xb64_digits-cls-50l.py']

num_labelled = 100
train_dataloader = dict(dataset=dict(num_labelled=num_labelled))
