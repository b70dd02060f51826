"""Population of Focus identification: SQL rules on DuckDB (spec/populations-of-focus.md)."""

from carehub.domain.populations.runner import (
    OUTPUT_COLUMNS,
    Versions,
    identify,
    identify_folder,
    load_rules,
    write_csv,
)

__all__ = ["OUTPUT_COLUMNS", "Versions", "identify", "identify_folder", "load_rules", "write_csv"]
