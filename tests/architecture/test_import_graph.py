"""The package's import graph has no cycles and every import goes down the layers (docs/architecture.md).

The graph is read from the source: module-level imports, imports inside functions, ``importlib.import_module``
calls with a literal name and the lazy-export tables of package ``__init__`` modules; only imports under
``if TYPE_CHECKING:`` (never run) are left out.
"""

from __future__ import annotations

import pytest

from tests.architecture.import_graph import LAYERS, cycles, edges, layer_of, modules

_WINGS = ("lambdachaos.generators", "lambdachaos.faults")
_WING_MAY_USE = ("lambdachaos._errors", "lambdachaos._timestamps")


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return edges()


def test_no_module_imports_another_in_a_cycle(graph):
    assert cycles(graph) == []


def test_every_import_goes_down_the_layers(graph):
    upward = sorted(f"{m} (layer {layer_of(m)}) imports {t} (layer {layer_of(t)})"
                    for m, targets in graph.items() for t in targets if layer_of(t) > layer_of(m))
    assert upward == []


def test_generators_and_faults_use_nothing_of_the_core(graph):
    bad = sorted(f"{m} imports {t}" for m, targets in graph.items() if m.startswith(_WINGS)
                 for t in targets if not t.startswith(_WINGS) and t not in _WING_MAY_USE)
    assert bad == []


def test_every_module_has_a_layer():
    for module in modules():
        assert 0 <= layer_of(module) < len(LAYERS)


def test_the_reader_sees_imports_inside_functions_importlib_calls_and_lazy_tables(graph):
    # Sim.map imports the source table inside the method; lambdachaos/__init__ names modules in its lazy table.
    assert "lambdachaos.service.mappings._sources" in graph["lambdachaos._sim_esm"]
    assert "lambdachaos._sim" in graph["lambdachaos"]
    assert "lambdachaos.plugins._assertions" in graph["lambdachaos.plugins"]
