# A ConvLSTM video predictor (mmkd_transfer.models.predictors). Configs set
# the size (hidden_channels, num_layers, patch_size) and the scheduled
# sampling (sampling_step: the ratio of true frames fed falls from 1 by this
# much per iteration). 10 -> 10 frames, as the moving_digits_* datasets.
model = dict(
    type='ConvLSTMPredictor',
    in_channels=1,
    hidden_channels=32,
    num_layers=2,
    filter_size=5,
    patch_size=2,
    input_frames=10,
    pred_frames=10,
    sampling_start=1.0,
    sampling_step=4e-4,
    sampling_seed=0,
    data_preprocessor=dict(type='VideoPredictionDataPreprocessor'))
