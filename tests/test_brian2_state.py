"""sfa_helpers.brian2_state: Brian2's global state kept intact, and Brian2's own work done once.

The reference for the memoised method splitting is Brian2's original function: the code each
explicit method generates must be the same string with and without the memo."""

import pytest
from brian2 import Equations
from brian2.stateupdaters import explicit
from brian2.stateupdaters.base import StateUpdateMethod

import sfa_helpers.engine  # noqa: F401 - installs the memo, as any use of the course does
from sfa_helpers.brian2_state import memoize_method_splitting

DETERMINISTIC = Equations("""
dv/dt = (E_L - v + Delta_T*exp((v - V_T)/Delta_T) + R*(I - w))/tau_m : volt
dw/dt = (a*(v - E_L) - w)/tau_w : amp
""")
NOISY = Equations("""
dv/dt = (E_L - v + R*(I - w))/tau_m + sigma*xi/sqrt(tau_m) : volt
dw/dt = (a*(v - E_L) - w)/tau_w : amp
""")
CASES = [(DETERMINISTIC, m) for m in ("euler", "rk2", "rk4", "heun", "milstein")] + \
        [(NOISY, m) for m in ("euler", "heun", "milstein")]


@pytest.mark.parametrize("eqs,method", CASES, ids=[f"{'noisy' if e is NOISY else 'adex'}-{m}"
                                                     for e, m in CASES])
def test_memoised_splitting_generates_the_same_code(eqs, method, monkeypatch):
    assert hasattr(explicit.split_expression, "cache_info")
    memoised = StateUpdateMethod.apply_stateupdater(eqs, {}, method=method)
    again = StateUpdateMethod.apply_stateupdater(eqs, {}, method=method)  # from the memo
    monkeypatch.setattr(explicit, "split_expression", explicit.split_expression.uncached)
    original = StateUpdateMethod.apply_stateupdater(eqs, {}, method=method)
    assert memoised == again == original


def test_the_memo_answers_repeated_applications_and_is_installed_once():
    info = explicit.split_expression.cache_info()
    StateUpdateMethod.apply_stateupdater(DETERMINISTIC, {}, method="rk4")
    StateUpdateMethod.apply_stateupdater(DETERMINISTIC.substitute(I="2*I"), {}, method="rk4")  # same stages
    after = explicit.split_expression.cache_info()
    assert after.hits >= info.hits + 5
    wrapper = explicit.split_expression
    assert memoize_method_splitting() and explicit.split_expression is wrapper
