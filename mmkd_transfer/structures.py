"""Conventions on data that datasets and models both follow.

Datasets write these values and losses read them, so they live here rather
than in either: a loss never imports a dataset module.
"""

#: ``gt_label`` of a training sample whose label is withheld (few-label
#: transfer): it carries no task loss but still gets distillation losses.
UNLABELLED = -1
