# The paper's other source: convlstm_l4h64p4_1xb8-80k_moving-mnist-2d-64px.py
# on 1-digit Moving MNIST (a file in the mnist_test_seq.npy layout that you
# generate; set data_root and ann_file).
_base_ = ['./convlstm_l4h64p4_1xb8-80k_moving-mnist-2d-64px.py']
ann_file = 'moving_mnist_1digit.npy'
train_dataloader = dict(dataset=dict(ann_file=ann_file))
val_dataloader = dict(dataset=dict(ann_file=ann_file))
test_dataloader = val_dataloader
