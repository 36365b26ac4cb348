"""The grader's last line of defence: a notebook whose execution never returns (for example a
kernel client left waiting for a kernel that died) is stopped by the wall-clock watchdog."""

import time

import nbformat

from sfa_helpers.grading import runner


def test_watchdog_stops_a_notebook_that_never_returns(monkeypatch, tmp_path):
    def never_returns(cells, workdir, env, limits, spec_dir, sessions, fork_socket=None):
        time.sleep(60)
        raise AssertionError("the watchdog did not fire")

    monkeypatch.setattr(runner, "_execute", never_returns)
    monkeypatch.setattr(runner, "WATCHDOG_MARGIN", 0.5)
    cells = [nbformat.v4.new_code_cell("x = 1")]
    start = time.monotonic()
    runs, notes = runner.execute(cells, str(tmp_path), {}, runner.Limits(notebook_timeout=1.0),
                                 str(tmp_path))
    assert time.monotonic() - start < 10
    assert [r.status for r in runs] == ["not run"]
    assert "time limit" in notes[0]
