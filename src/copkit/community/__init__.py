"""Analysis of a community of practice from its own exports. Pure Python: never imports Django.

The public API of the activity store::

    from copkit.community import open_store, import_paths

    with open_store("community.duckdb") as store:
        summary = import_paths(store, ["slack-export.zip", "list.mbox"])
        activities = store.table("activities")  # a pyarrow.Table
        members = store.ibis().table("members")  # an Ibis table expression
"""

from __future__ import annotations

from copkit.community.errors import ImportFormatError, StoreError, UndefinedMeasureError
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
