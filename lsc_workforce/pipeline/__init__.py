"""Training-pipeline optimisation: how many trainees of each kind to start each year.

* :mod:`~lsc_workforce.pipeline.inputs`: frozen :class:`PipelineInputs` built and validated
  from tidy frames (demand, supply and ``config/training/`` tables).
* :mod:`~lsc_workforce.pipeline.model`: the integer programme (formulation C1-C8 in its
  docstring), ``build_model()`` and one ``add_<rule>()`` per constraint family.
* :mod:`~lsc_workforce.pipeline.solution`: lexicographic solve, tidy tables, infeasibility and
  gap diagnostics (what stops the gap closing, with LP shadow prices).
"""

from lsc_workforce.pipeline.inputs import PipelineInputs, Programme, SkillMixRule
from lsc_workforce.pipeline.model import PipelineSettings, build_model
from lsc_workforce.pipeline.solution import PipelinePlan, solve_pipeline

__all__ = [
    "PipelineInputs",
    "PipelinePlan",
    "PipelineSettings",
    "Programme",
    "SkillMixRule",
    "build_model",
    "solve_pipeline",
]
