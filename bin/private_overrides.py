"""`make lint`: fail when a class of the application overrides a private method of Django or of a library.

A method whose name starts with one underscore belongs to its library and may change in any release; the project
extends libraries through their public methods and settings only. The check imports every application module and
compares each class's own methods with those of its bases outside the application (enum "_sunder_" names and
dunder methods are public protocol and are left out).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "projects", "engagement", "conversations")
SKIP = (".migrations", ".settings.production")  # production settings refuse to import without SECRET_KEY


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and not name.endswith("_")


def of_class(cls: type) -> list[str]:
    """The private methods of libraries that `cls` itself overrides, each as "ours overrides theirs"."""
    found = []
    for name, value in vars(cls).items():
        if not _private(name) or not callable(getattr(value, "__func__", value)):
            continue
        for base in cls.__mro__[1:]:
            if base.__module__.split(".")[0] not in PACKAGES and name in vars(base):
                found.append(f"{cls.__module__}.{cls.__qualname__}.{name} overrides {base.__module__}.{base.__qualname__}.{name}")
                break
    return found


def overrides() -> list[str]:
    found = []
    for package in PACKAGES:
        for info in pkgutil.walk_packages(importlib.import_module(package).__path__, f"{package}."):
            if any(part in info.name for part in SKIP):
                continue
            module = importlib.import_module(info.name)
            for cls in vars(module).values():
                # Not inspect.isclass: it asks the object its __class__, which a lazy proxy (Celery's shared tasks)
                # answers by resolving itself in whichever app is current.
                if issubclass(type(cls), type) and cls.__module__ == module.__name__:
                    found.extend(of_class(cls))
    return found


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django

    django.setup()
    found = overrides()
    for line in found:
        print(line)
    print(f"private overrides: {len(found)}")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
