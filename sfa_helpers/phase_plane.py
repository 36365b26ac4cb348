"""Old home of the AdEx phase plane, kept so that older code and saved notebooks still run.

It moved: the mathematics (nullclines, vector field, fixed points, saddle-node current,
Jacobian) to :mod:`sfa_helpers.theory.adex`, the figure :func:`plot_phase_plane` to
:mod:`sfa_helpers.plots`, the widget :func:`explore_phase_plane` to
:mod:`sfa_helpers.widgets.phase_plane`. Import from there.
"""

from .plots import plot_phase_plane
from .theory.adex import (FixedPoint, fixed_points, jacobian, rheobase, saddle_node_current,
                          v_nullcline, vector_field, w_nullcline)
from .widgets.phase_plane import PhasePlaneExplorer, explore_phase_plane

__all__ = ["FixedPoint", "v_nullcline", "w_nullcline", "fixed_points", "saddle_node_current",
           "rheobase", "jacobian", "vector_field", "plot_phase_plane", "PhasePlaneExplorer",
           "explore_phase_plane"]
