"""Every lesson in a real browser: JupyterLab runs all cells, no cell shows an error, and in every
lesson with sliders moving a slider redraws the figure (timed from key press to decoded image).
Every timed move goes to a slider setting the widget has not shown before (the widgets cache what
they have shown; see ``NotebookDriver.explore_slider``), and the median of these is the headline.

Screenshots of each lesson after running go to ``test-artifacts/e2e/`` (paths are printed when a
test fails); slider-to-redraw times go to ``test-artifacts/e2e/redraw_times.json``.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from labserver import ARTIFACTS, LESSONS
from notebookdriver import NotebookDriver, median

RUN_TIMEOUT = float(os.environ.get("SFA_E2E_RUN_TIMEOUT", 900))  # seconds per lesson
# Timed moves per slider, each to a setting of the widget not shown before in the session (the
# widgets cache what they have shown: going back and forth would time cache hits).
MIN_NEW_MOVES = 4
MOVES_PER_WIDGET = max(MIN_NEW_MOVES, int(os.environ.get("SFA_E2E_MOVES", 6)))
# The course's goal is a 150 ms median (benchmarks/RESULTS.md reports the measured medians). By
# default the test fails only when a widget is clearly unusable (seconds per move, e.g. a redraw
# that recompiles), so that a loaded CI machine does not make it flaky; on a quiet machine set
# SFA_E2E_REDRAW_LIMIT_MS=150 to enforce the goal itself.
REDRAW_LIMIT_MS = float(os.environ.get("SFA_E2E_REDRAW_LIMIT_MS", 5000))
TIMES_FILE = ARTIFACTS / "redraw_times.json"


def _record(name: str, entry: dict) -> None:
    data = json.loads(TIMES_FILE.read_text()) if TIMES_FILE.exists() else {}
    data[name] = entry
    TIMES_FILE.write_text(json.dumps(data, indent=2))


def test_there_are_lessons():
    assert LESSONS, "no notebooks/*.ipynb found"


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_in_jupyterlab(lesson, lesson_server, browser_context):
    page = browser_context.new_page()
    console_errors = []
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    driver = NotebookDriver(page, lesson_server.url, lesson.name, ARTIFACTS)
    shots = []
    problems = []
    try:
        driver.open()
        seconds, prompts = driver.run_all(RUN_TIMEOUT)
        print(f"{lesson.name}: ran all cells in {seconds:.1f} s")
        shots = driver.screenshot_notebook(lesson.stem)

        errors = driver.errors()
        for err in errors:
            path = driver.screenshot_cell(err["cell"], ARTIFACTS / f"{lesson.stem}-error-cell{err['cell']}.png")
            shots.append(path)
            problems.append(f"cell {err['cell']} shows an error:\n  source: {err['source'][:200]!r}\n"
                            f"  output (end): {err['text'][-800:]}")
        not_run = [k for k, p in enumerate(prompts) if not p.isdigit()]
        if not_run and not errors:
            problems.append(f"code cells {not_run} were not executed (prompts {prompts})")

        moves = []
        if not errors:
            views = driver.widget_views()
            broken = [v for v in views if not v["rendered"]]
            for v in broken:
                problems.append(f"cell {v['cell']}: widget not rendered ({v['text']!r})")
            sliders = driver.slider_cells()
            if _stores_widgets(lesson_server.notebook_dir / lesson.name) and not sliders:
                problems.append(f"the stored notebook has widget outputs, but the page shows no slider "
                                f"({len(views)} widget views)")
            for info in sliders:
                label = info["labels"][0]
                cell_moves = driver.explore_slider(info["cell"], 0, label, MOVES_PER_WIDGET)
                moves.extend(cell_moves)
                for move in cell_moves:
                    if move.redraw_ms is None:
                        problems.append(
                            f"moving slider {label!r} in cell {info['cell']} ({move.value_before} -> "
                            f"{move.value_after}, {move.key}) did not change the {move.kind} within 30 s")
                n_new = sum(m.new and m.redraw_ms is not None for m in cell_moves)
                if n_new < MIN_NEW_MOVES:
                    problems.append(f"slider {label!r} in cell {info['cell']}: only {n_new} moves to "
                                    f"settings not shown before (need {MIN_NEW_MOVES})")
                shots.append(driver.screenshot_cell(
                    info["cell"], ARTIFACTS / f"{lesson.stem}-widget-cell{info['cell']}.png"))
        # The headline: moves to a setting not shown before in this session (the widgets cache
        # what they have shown, so a move back would measure a cache hit, not exploring).
        new_moves = [m for m in moves if m.new and m.redraw_ms is not None]
        times = [m.redraw_ms for m in new_moves]
        if moves:
            med = median(times)
            print(f"{lesson.name}: slider-to-redraw median {med:.0f} ms over {len(times)} moves to new "
                  f"settings ({', '.join(f'{t:.0f}' for t in times)} ms)")
            for m in moves:
                print(f"  cell {m.cell} {m.label!r} {m.key}: {m.value_before} -> {m.value_after}: "
                      f"{m.redraw_ms if m.redraw_ms is None else round(m.redraw_ms)} ms"
                      f"{'' if m.new else ' (shown before: not counted)'}")
            arrived = [m.arrived_ms for m in new_moves if m.arrived_ms is not None]
            if arrived:
                print(f"{lesson.name}: key press to new image in the page, before decoding: median "
                      f"{median(arrived):.0f} ms ({', '.join(f'{t:.0f}' for t in arrived)} ms)")
            revisits = [m.redraw_ms for m in moves if not m.new and m.redraw_ms is not None]
            _record(lesson.stem, {"run_all_seconds": round(seconds, 1), "moves": len(times),
                                  "redraw_ms": [round(t, 1) for t in times],
                                  "median_ms": round(med, 1),
                                  "arrived_ms": [round(t, 1) for t in arrived],
                                  "revisit_ms": [round(t, 1) for t in revisits],
                                  "widgets": sorted({f"{m.label} ({m.kind})" for m in moves}),
                                  "measured": time.strftime("%Y-%m-%d %H:%M"),
                                  "load_average": [round(x, 2) for x in os.getloadavg()]})
            if times and med > REDRAW_LIMIT_MS:
                problems.append(f"slider-to-redraw median {med:.0f} ms (moves to new settings) "
                                f"exceeds {REDRAW_LIMIT_MS:.0f} ms")
        else:
            _record(lesson.stem, {"run_all_seconds": round(seconds, 1), "moves": 0,
                                  "measured": time.strftime("%Y-%m-%d %H:%M")})
        if console_errors:
            print(f"{lesson.name}: uncaught page errors: {console_errors[:5]}")
    except Exception:
        try:
            shots.append(_page_shot(page, lesson.stem))
        except Exception:  # noqa: BLE001 - the original failure matters more
            pass
        print("screenshots:\n  " + "\n  ".join(str(p) for p in shots))
        raise
    finally:
        page.close(run_before_unload=False)
        lesson_server.shutdown_kernels()
    assert not problems, (f"{lesson.name} in JupyterLab:\n" + "\n".join(problems)
                          + "\nscreenshots:\n  " + "\n  ".join(str(p) for p in shots))


def _stores_widgets(lesson) -> bool:
    """Whether the stored notebook displays ipywidgets (its outputs carry a widget view)."""
    cells = json.loads(lesson.read_text())["cells"]
    return any("application/vnd.jupyter.widget-view+json" in out.get("data", {})
               for cell in cells if cell["cell_type"] == "code" for out in cell.get("outputs", []))


def _page_shot(page, stem):
    path = ARTIFACTS / f"{stem}-at-failure.png"
    page.screenshot(path=str(path))
    return path
