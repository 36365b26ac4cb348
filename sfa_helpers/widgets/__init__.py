"""Interactive explorers: sliders that recompute and redraw a figure at once.

One module per explorer, all built on :class:`~sfa_helpers.widgets.base.LiveFigure` (rendering,
caching, status line, slider plumbing):

* :mod:`~sfa_helpers.widgets.explore`: :func:`explore`, any model and stimulus, a live voltage
  trace and optionally the f-I curve (lessons 01-03, 05);
* :mod:`~sfa_helpers.widgets.statistics`: :func:`explore_statistics`, ISI histogram,
  autocorrelogram and spike statistics of a noisy neuron (lesson 06);
* :mod:`~sfa_helpers.widgets.phase_plane`: :func:`explore_phase_plane`, the AdEx phase plane
  (lesson 04);
* :mod:`~sfa_helpers.widgets.pattern_map`: :func:`explore_pattern_map`, firing-pattern maps
  (lesson 04);
* :mod:`~sfa_helpers.widgets.glm`: :class:`FilterExplorer`, GLM filter recovery (lesson 07).
"""

from .base import (PNG_COMPRESS_LEVEL, LiveFigure, PNGRenderer, ResultCache, display_unit,
                   nice_limits, render_png, show_figure, slider_key)
from .explore import Explorer, explore
from .glm import FilterExplorer
from .pattern_map import PatternMapExplorer, explore_pattern_map
from .phase_plane import PhasePlaneExplorer, explore_phase_plane
from .statistics import StatisticsExplorer, explore_statistics

__all__ = ["explore", "Explorer", "explore_statistics", "StatisticsExplorer", "explore_phase_plane",
           "PhasePlaneExplorer", "explore_pattern_map", "PatternMapExplorer", "FilterExplorer",
           "LiveFigure", "display_unit", "ResultCache", "slider_key", "nice_limits", "show_figure",
           "render_png", "PNGRenderer", "PNG_COMPRESS_LEVEL"]
