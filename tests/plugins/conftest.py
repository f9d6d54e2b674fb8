"""The plugin is tested with pytest's own ``pytester`` (loaded here: ``pytest_plugins`` is only allowed in
the root conftest)."""

from __future__ import annotations


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


# pytester's in-process runs drop modules first imported inside them; importing the simulator here keeps
# one copy for the whole session (its handler-time hooks patch the datetime module once per process).
import lambdachaos._sim  # noqa: E402, F401
