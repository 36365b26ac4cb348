"""Closed-form results to compare simulations against, one module per topic.

* :mod:`~sfa_helpers.theory.lif`: the LIF under constant input (rheobase, time to threshold,
  f-I curve, step response; lessons 01 and 02);
* :mod:`~sfa_helpers.theory.noise`: the Ornstein-Uhlenbeck current and the LIF driven by white
  noise (Siegert rate and CV; lessons 05 and 06);
* :mod:`~sfa_helpers.theory.adaptation`: mean-adaptation theory of adapting LIF neurons
  (lesson 03);
* :mod:`~sfa_helpers.theory.adex`: the AdEx phase plane (nullclines, vector field, fixed points,
  saddle-node current; lesson 04);
* :mod:`~sfa_helpers.theory.correlations`: serial correlations of the intervals of an
  adapting LIF under weak noise (lesson 06);
* :mod:`~sfa_helpers.theory.escape`: escape noise (hazard, survivor function, interval
  distribution; lesson 07).

The functions of ``lif`` and ``noise`` are also available here (``theory.lif_rate``), as they
were before the package was split into modules.
"""

from . import adaptation, adex, correlations, escape, lif, noise
from .correlations import interval_correlations
from .lif import (lif_isi_on_grid, lif_rate, lif_rheobase, lif_step_response,
                  lif_time_to_threshold)
from .noise import (lif_ou_voltage_sd, lif_white_noise_cv, lif_white_noise_rate,
                    ou_autocovariance, ou_stationary_variance)

__all__ = ["lif", "noise", "adaptation", "adex", "escape", "correlations", "interval_correlations",
           "lif_rheobase", "lif_time_to_threshold", "lif_rate", "lif_isi_on_grid",
           "lif_step_response", "ou_stationary_variance", "ou_autocovariance",
           "lif_ou_voltage_sd", "lif_white_noise_rate", "lif_white_noise_cv"]
