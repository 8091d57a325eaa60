"""Analysis of a community of practice from its own exports. Pure Python: never imports Django.

The public API of the activity store::

    from copkit.community import open_store, import_paths

    with open_store("community.duckdb") as store:
        summary = import_paths(store, ["slack-export.zip", "list.mbox"])
        activities = store.table("activities")  # a pyarrow.Table
        members = store.ibis().table("members")  # an Ibis table expression
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from copkit.community.errors import ImportFormatError, StoreError, UndefinedMeasureError

if TYPE_CHECKING:
    from copkit.community.importer import ImportSummary, import_paths
    from copkit.community.store import Store, open_store, store_counts

__all__ = [
    "ImportFormatError",
    "ImportSummary",
    "Store",
    "StoreError",
    "UndefinedMeasureError",
    "import_paths",
    "open_store",
    "store_counts",
]

# The store's names are imported on first use: a process that only parses exports (the mbox
# reader's worker processes) does not load DuckDB and Arrow.
_LAZY = {
    "ImportSummary": "copkit.community.importer",
    "import_paths": "copkit.community.importer",
    "Store": "copkit.community.store",
    "open_store": "copkit.community.store",
    "store_counts": "copkit.community.store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
