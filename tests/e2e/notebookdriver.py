"""Drive one notebook in JupyterLab through Playwright: open, run all, read errors, move sliders.

What counts is what a student sees: errors and prompts are read from the DOM; the JupyterLab
application object (``window.jupyterapp``, exposed by the server option
``LabApp.expose_app_in_browser``) is used only to wait for the kernel and to fire commands.
"""

from __future__ import annotations

import dataclasses
import math
import pathlib
import time

# ---- page-side helpers ---------------------------------------------------------------------

_PANEL_READY = """() => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return 'no app';
  const w = app.shell.currentWidget;
  if (!w || !w.content || !w.sessionContext) return 'no notebook';
  if (!w.context.isReady) return 'document loading';
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  if (!k) return 'no kernel';
  return k.status === 'idle' && k.connectionStatus === 'connected' ? 'ready' : 'kernel ' + k.status;
}"""

_COMMAND = """(cmd) => { window.jupyterapp.commands.execute(cmd); return true; }"""

# Prompts of the code cells ('1', '*', ' ') and the kernel status.
_RUN_STATE = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')]
      .map(p => p.textContent.trim().replace(/^\\[|\\]:?$/g, '').trim());
  return {kernel: k ? k.status : 'none', prompts};
}"""

# Every error a student would see: error outputs and tracebacks in stderr.
_ERRORS = """() => {
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
  const found = [];
  cells.forEach((cell, index) => {
    if (!cell.classList.contains('jp-CodeCell')) return;
    const outs = cell.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
    for (const out of outs) {
      const text = out.innerText || '';
      if (/Traceback|Error|Exception/.test(text)) {
        const src = cell.querySelector('.jp-InputArea-editor');
        found.push({cell: index, source: src ? src.innerText.slice(0, 300) : '',
                    text: text.slice(-1500)});
      }
    }
  });
  return found;
}"""

# Widget views in the outputs (JupyterLab gives them no data-mime-type): rendered (a widget DOM
# inside) or not (an error message, or still loading).
_WIDGET_VIEWS = """() => {
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
  const views = [];
  const failed = /Error displaying widget|Loading widget|model not found/i;
  cells.forEach((cell, index) => {
    for (const out of cell.querySelectorAll('.jp-OutputArea-output')) {
      const text = out.innerText || '';
      const widget = out.querySelector(':scope > .jupyter-widgets, :scope > .lm-Widget.jupyter-widgets');
      if (!widget && !failed.test(text)) continue;
      views.push({cell: index, rendered: !!widget && !failed.test(text), text: text.slice(0, 200)});
    }
  });
  return views;
}"""

_SLIDER_CELLS = """() => {
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
  const result = [];
  cells.forEach((cell, index) => {
    const handles = cell.querySelectorAll('.jp-OutputArea .widget-slider .noUi-handle');
    if (handles.length) {
      const labels = [...cell.querySelectorAll('.jp-OutputArea .widget-slider')]
          .map(s => (s.querySelector('.widget-label') || {}).textContent || '?');
      result.push({cell: index, sliders: handles.length, labels});
    }
  });
  return result;
}"""

_CELL_VALUES = """(cellIndex) => {
  const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[cellIndex];
  return [...cell.querySelectorAll('.jp-OutputArea .widget-slider')].map(s => {
    const r = s.querySelector('.widget-readout');
    const h = s.querySelector('.noUi-handle');
    return (r ? r.textContent.trim() : '') + ' (aria ' + (h ? h.getAttribute('aria-valuenow') : '') + ')';
  });
}"""

# Arm a MutationObserver on one cell's output area. The figure's signature is the set of image
# sources and canvas pixels inside the widget; without any image or canvas it is the widget's
# HTML minus the sliders. Every change after the key press is timed (once the new images have
# decoded): a widget with several figures redraws them one after the other, and the redraw is
# complete at the last change before the kernel goes idle.
_ARM = """(cellIndex) => {
  const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[cellIndex];
  const area = cell.querySelector('.jp-OutputArea');
  const signature = () => {
    const imgs = [...area.querySelectorAll('img')].map(i => i.src);
    const canvases = [...area.querySelectorAll('canvas')].map(c => {
      try { return c.toDataURL(); } catch (e) { return 'tainted'; } });
    if (imgs.length || canvases.length) return {kind: 'figure', key: imgs.join('|') + '#' + canvases.join('|')};
    const clone = area.cloneNode(true);
    clone.querySelectorAll('.widget-slider').forEach(s => s.remove());
    return {kind: 'widget output', key: clone.innerHTML};
  };
  if (window.__sfaRedraw) window.__sfaRedraw.stop();
  let last = signature();
  const state = {t0: null, tFirst: null, tLast: null, tSeen: null, changes: 0, pending: 0,
                 kind: last.kind};
  const onKey = () => { if (state.t0 === null) state.t0 = performance.now(); };
  document.addEventListener('keydown', onKey, true);
  const check = () => {
    if (state.t0 === null) return;
    const now = signature();
    if (now.key === last.key) return;
    last = now;
    state.tSeen = performance.now();  // the new image is in the DOM (not yet decoded)
    state.changes += 1;
    state.pending += 1;
    const imgs = [...area.querySelectorAll('img')];
    Promise.all(imgs.map(i => i.decode().catch(() => null))).then(() => {
      const t = performance.now();
      if (state.tFirst === null) state.tFirst = t;
      state.tLast = t;
      state.pending -= 1;
    });
  };
  const observer = new MutationObserver(check);
  observer.observe(area, {subtree: true, childList: true, attributes: true, characterData: true});
  // Canvases change without DOM mutations: poll them as well.
  const poll = setInterval(check, 25);
  state.stop = () => { observer.disconnect(); clearInterval(poll);
                       document.removeEventListener('keydown', onKey, true); };
  window.__sfaRedraw = state;
  return state.kind;
}"""

_REDRAW_STATE = """() => {
  const s = window.__sfaRedraw;
  const w = window.jupyterapp.shell.currentWidget;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  return {t0: s.t0, tFirst: s.tFirst, tLast: s.tLast, tSeen: s.tSeen, changes: s.changes,
          pending: s.pending,
          kind: s.kind, kernel: k ? k.status : 'none', now: performance.now()};
}"""

_KERNEL_STATUS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  return k ? k.status : 'none';
}"""


@dataclasses.dataclass
class SliderMove:
    cell: int
    label: str
    key: str
    value_before: str
    value_after: str
    kind: str
    redraw_ms: float | None
    #: key press to the last new image in the DOM (kernel, transport and widget manager), the
    #: rest of ``redraw_ms`` is image decoding
    arrived_ms: float | None = None
    #: whether the move went to a setting of the cell's sliders not shown before in the session
    new: bool = True


class NotebookDriver:
    def __init__(self, page, base_url: str, name: str, artifacts: pathlib.Path):
        self.page, self.base_url, self.name, self.artifacts = page, base_url, name, artifacts

    # -- opening and running ---------------------------------------------------------------
    def open(self, timeout: float = 180) -> None:
        self.page.goto(f"{self.base_url}/lab/tree/{self.name}?reset", timeout=timeout * 1000)
        self.wait_until(_PANEL_READY, "ready", timeout, "the notebook to open with an idle kernel")
        # More room for the notebook in the screenshots: fold the file browser away.
        self.page.evaluate("() => window.jupyterapp.shell.collapseLeft()")

    def wait_until(self, script: str, wanted, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = self.page.evaluate(script)
            if last == wanted:
                return last
            time.sleep(0.5)
        raise AssertionError(f"{self.name}: timed out after {timeout:.0f} s waiting for {what} "
                             f"(last state: {last!r})")

    def command(self, name: str) -> None:
        # Fired, not awaited: run-all's promise resolves only when every cell has finished.
        self.page.evaluate(_COMMAND, name)

    def run_all(self, timeout: float) -> tuple[float, list]:
        """Clear outputs, run all cells, wait until no cell is queued or running.

        Returns the wall time and the final prompts (one per code cell)."""
        self.command("notebook:clear-all-cell-outputs")
        start = time.monotonic()
        self.command("notebook:run-all-cells")
        deadline = start + timeout
        settled = 0
        state = None
        while time.monotonic() < deadline:
            time.sleep(1.0)
            state = self.page.evaluate(_RUN_STATE)
            started = any(p not in ("", " ") for p in state["prompts"])
            busy = state["kernel"] != "idle" or "*" in state["prompts"]
            settled = settled + 1 if started and not busy else 0
            if settled >= 2:  # idle on two polls a second apart: not between two cells
                return time.monotonic() - start, state["prompts"]
        raise AssertionError(f"{self.name}: cells still running after {timeout:.0f} s "
                             f"(kernel {state and state['kernel']}, prompts {state and state['prompts']})")

    def errors(self) -> list:
        return self.page.evaluate(_ERRORS)

    def widget_views(self, timeout: float = 60) -> list:
        """Widget outputs in the page, waiting (bounded) for every one to finish rendering."""
        deadline = time.monotonic() + timeout
        while True:
            views = self.page.evaluate(_WIDGET_VIEWS)
            if all(v["rendered"] for v in views) or time.monotonic() > deadline:
                return views
            time.sleep(0.5)

    def slider_cells(self) -> list:
        return self.page.evaluate(_SLIDER_CELLS)

    # -- sliders ---------------------------------------------------------------------------
    def _handle(self, cell: int, slider: int):
        return (self.page.locator(".jp-Notebook .jp-Cell").nth(cell)
                .locator(".jp-OutputArea .widget-slider .noUi-handle").nth(slider))

    def cell_values(self, cell: int) -> tuple:
        """The readouts of every slider in a cell's output (what the widget shows)."""
        return tuple(self.page.evaluate(_CELL_VALUES, cell))

    def slider_position(self, cell: int, slider: int) -> dict:
        """``{'min', 'max', 'now'}`` of a slider handle (noUiSlider's aria values)."""
        handle = self._handle(cell, slider)
        return {k: float(handle.get_attribute(f"aria-value{k}")) for k in ("min", "max", "now")}

    def explore_slider(self, cell: int, slider: int, label: str, n_new: int,
                       max_moves: int | None = None) -> list[SliderMove]:
        """Move a slider to ``n_new`` settings of its cell's sliders that were not shown before.

        The slider goes in one direction with PageUp (or PageDown, towards the farther end of
        its range); at an end it jumps to the other end (Home/End) and goes on in the same
        direction. A move that lands on a setting already shown in this session (possible after
        the jump) is made, marked ``new=False``, and not counted: the widgets keep caches, so
        only moves to new settings measure what a student sees when exploring."""
        max_moves = 3 * n_new if max_moves is None else max_moves
        pos = self.slider_position(cell, slider)
        up = pos["max"] - pos["now"] >= pos["now"] - pos["min"]
        key = "PageUp" if up else "PageDown"
        seen = {self.cell_values(cell)}
        moves: list[SliderMove] = []
        while sum(m.new for m in moves) < n_new and len(moves) < max_moves:
            move = self.move_slider(cell, slider, label, key, reverse_at_end=False)
            if move is None:  # at the end of the range: jump to the other end
                jump = "Home" if up else "End"
                move = self.move_slider(cell, slider, label, jump, reverse_at_end=False)
                if move is None:
                    break
            state = self.cell_values(cell)
            move.new = state not in seen
            seen.add(state)
            moves.append(move)
            if move.redraw_ms is None:
                break
        return moves

    def move_slider(self, cell: int, slider: int, label: str, key: str,
                    timeout: float = 30, reverse_at_end: bool = True) -> SliderMove | None:
        """Press ``key`` on a slider handle; wait until the widget has redrawn and the kernel is
        idle again; time the key press to the last figure change.

        At the end of the slider's range the key changes nothing: then the opposite key is
        pressed if ``reverse_at_end``, else None is returned."""
        self.wait_until(_KERNEL_STATUS, "idle", timeout, "an idle kernel before moving a slider")
        handle = self._handle(cell, slider)
        handle.scroll_into_view_if_needed()
        readout = (self.page.locator(".jp-Notebook .jp-Cell").nth(cell)
                   .locator(".jp-OutputArea .widget-slider").nth(slider).locator(".widget-readout"))

        def value():
            # The readout is what a student sees; aria-valuenow alone is rounded by noUiSlider
            # (0.404 shows as 0.4 there).
            shown = readout.inner_text() if readout.count() else ""
            return f"{shown.strip()} (aria {handle.get_attribute('aria-valuenow')})"

        before = value()
        kind = self.page.evaluate(_ARM, cell)
        handle.focus()
        self.page.keyboard.press(key)
        after = value()
        if after == before and not reverse_at_end:
            self.page.evaluate("() => window.__sfaRedraw.stop()")
            return None
        if after == before:  # at the end of its range: go the other way
            key = {"PageUp": "PageDown", "PageDown": "PageUp",
                   "ArrowRight": "ArrowLeft", "ArrowLeft": "ArrowRight"}[key]
            self.page.keyboard.press(key)
            after = value()
        assert after != before, (f"{self.name}: slider {label!r} (cell {cell}) did not move on "
                                 f"{key} (value {before})")
        deadline = time.monotonic() + timeout
        state = self.page.evaluate(_REDRAW_STATE)
        quiet_since = None
        while time.monotonic() < deadline:
            time.sleep(0.05)
            state = self.page.evaluate(_REDRAW_STATE)
            done = state["tLast"] is not None and state["pending"] == 0 and state["kernel"] == "idle"
            # Complete: redrawn, images decoded, kernel idle, and nothing changed for 0.3 s.
            if done and state["now"] - state["tLast"] > 300:
                if quiet_since is None:
                    quiet_since = time.monotonic()
                elif time.monotonic() - quiet_since > 0.3:
                    break
            else:
                quiet_since = None
        self.page.evaluate("() => window.__sfaRedraw.stop()")
        if state["tLast"] is None:
            return SliderMove(cell, label, key, before, after, kind, None)
        return SliderMove(cell, label, key, before, after, kind, state["tLast"] - state["t0"],
                          state["tSeen"] - state["t0"] if state["tSeen"] is not None else None)

    # -- screenshots -----------------------------------------------------------------------
    def screenshot_notebook(self, stem: str, max_parts: int = 30) -> list[pathlib.Path]:
        """The whole notebook as a series of viewport-high screenshots (the notebook scrolls
        inside the page, so one full-page shot would only show the top)."""
        paths = []
        scroller = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer"
        self.page.evaluate(f"() => {{ const s = document.querySelector('{scroller}'); if (s) s.scrollTop = 0; }}")
        for part in range(max_parts):
            path = self.artifacts / f"{stem}-{part + 1:02d}.png"
            self.page.screenshot(path=str(path))
            paths.append(path)
            moved = self.page.evaluate(f"""() => {{
                const s = document.querySelector('{scroller}');
                if (!s) return false;
                const before = s.scrollTop;
                s.scrollTop = before + s.clientHeight - 40;
                return s.scrollTop > before; }}""")
            if not moved:
                break
            time.sleep(0.15)
        return paths

    def screenshot_cell(self, cell: int, path: pathlib.Path) -> pathlib.Path:
        target = self.page.locator(".jp-Notebook .jp-Cell").nth(cell)
        target.scroll_into_view_if_needed()
        target.screenshot(path=str(path))
        return path


def median(values):
    values = sorted(v for v in values if v is not None and not math.isnan(v))
    if not values:
        return float("nan")
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else 0.5 * (values[mid - 1] + values[mid])
