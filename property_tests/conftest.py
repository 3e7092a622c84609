"""Hypothesis profiles for the property suite.

``HYPOTHESIS_PROFILE`` picks one: ``aisclient`` (the default, also in CI) runs at least 200
examples per test without a per-example deadline (a loaded CI machine must not turn a slow
example into a failure); ``quick`` is for a fast local loop. A test's own ``@settings`` still
wins for the values it sets.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "aisclient",
    max_examples=200,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("quick", parent=settings.get_profile("aisclient"), max_examples=25)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "aisclient"))
