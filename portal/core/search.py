"""The full-text expression shared by the models' indexes and the search queries (`projects.search`).

PostgreSQL uses an expression index only for the very expression a query filters on, so both are built here.
The `russian` configuration stems Cyrillic words with the Russian Snowball stemmer and Latin words with the
English one (English stop words included): one configuration serves English, Russian and mixed text.
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector

SEARCH_CONFIG = "russian"


def search_vector(*fields: str) -> SearchVector:
    return SearchVector(*fields, config=SEARCH_CONFIG)


def search_index(*fields: str, name: str) -> GinIndex:
    """A GIN index over `search_vector(*fields)` (created by `portal.core.migration_operations.AddSearchIndex`)."""
    return GinIndex(search_vector(*fields), name=name)
