# TMU's memory distillation between a target TMUPredictor and two sources
# named src_1d and src_2d (TMUTransferDistill's teachers): the memory the
# target's TMU cell distils for each source, and each source's first-cell
# memory, recorded at every step and compared by TMUMemoryLoss. Set
# lambda_mem with model.distiller.distill_losses.loss_mem.loss_weight
# (0 logs L_mem without optimising it, as the authors' release does).
distiller = dict(
    type='ConfigurableDistiller',
    # D^m_t, the memory the TMU cell distils for source m, every step
    student_recorders=dict(
        memories=dict(type='StepMemories', source='cells.0.distillers.*')),
    # C^m_t, the memory of source m's first cell, every step
    teacher_recorders=dict(
        memories=dict(
            type='StepMemories', source=['src_1d.cells.0', 'src_2d.cells.0'])),
    distill_losses=dict(loss_mem=dict(type='TMUMemoryLoss', loss_weight=1.0)),
    loss_forward_mappings=dict(
        loss_mem=dict(
            distilled=dict(
                recorder='memories', from_student=True, record_idx=None),
            source_memories=dict(
                recorder='memories', from_student=False, record_idx=None))))

# The shared part of a TMU transfer model. A config builds its model from it
# with its own predictor (the target's architecture gets the TMU overrides
# below), the two sources' checkpoints, reverse_second_step and input_shape:
#   model = dict(_base_.tmu_transfer, _delete_=True,
#                architecture=dict(predictor, **_base_.tmu_architecture), ...)
tmu_architecture = dict(type='TMUPredictor', num_sources=2, memory_mix='mean')
tmu_transfer = dict(
    type='TMUTransferDistill',
    data_preprocessor=dict(type='VideoPredictionDataPreprocessor'),
    distiller=distiller)

# distributed runs: TMUTransferDistill averages its gradients itself before
# each of its optimizer steps, so the time-reversed second step runs under
# several processes too (mmengine's DDP wrapper would skip it)
model_wrapper_cfg = dict(type='mmrazor.SelfSyncedDataParallel')
