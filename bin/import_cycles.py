"""`make lint`: fail on any import cycle between the application's modules.

import-linter's layers contract keeps the apps in order; this check covers what it does not: a cycle between two
modules of the same app, including one closed by an import written inside a function (grimp reads every import
statement of a module, wherever it stands).
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "projects", "engagement", "conversations")


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Each cycle once, as the chain of modules that closes it (shortest chain back to the importer)."""
    found: dict[frozenset[str], list[str]] = {}
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                found.setdefault(frozenset(back), [importer, *back])
    return list(found.values())


def main() -> int:
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    broken = cycles(graph)
    for chain in broken:
        print("import cycle: " + " -> ".join(chain))
    print(f"import cycles: {len(broken)} in {len(graph.modules)} modules of {', '.join(PACKAGES)}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
