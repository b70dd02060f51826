"""Streaming table writers for the input layout: one file per table, or a folder of part files (one per chunk).
CSV gets a header, ISO dates and empty cells for nulls; Parquet gets dictionary-encoded pages and decimal amounts."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


def plain(table: pa.Table) -> pa.Table:
    """Decode dictionary columns to strings (the CSV writer needs plain columns)."""
    columns = [pc.cast(col, pa.string()) if pa.types.is_dictionary(col.type) else col for col in table.columns]
    return pa.table(columns, names=table.column_names)


class TableSink:
    """Writes one table of the layout, chunk after chunk, without holding it in memory."""

    def __init__(self, out: Path, name: str, fmt: str, parts: bool) -> None:
        self.out, self.name, self.fmt, self.parts = out, name, fmt, parts
        self.part = 0
        self.rows = 0
        self.writer: pq.ParquetWriter | pacsv.CSVWriter | None = None

    def _open(self, path: Path, schema: pa.Schema) -> pq.ParquetWriter | pacsv.CSVWriter:
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.fmt == "parquet":
            return pq.ParquetWriter(path, schema, compression="snappy")
        options = pacsv.WriteOptions(include_header=True, quoting_style="needed")
        return pacsv.CSVWriter(path, schema, write_options=options)

    def write(self, table: pa.Table) -> None:
        # Parquet too gets plain strings (it dictionary-encodes them itself): handing it Arrow dictionary arrays
        # made the bytes of some columns differ between runs in one process (same content, different pages).
        table = plain(table)
        self.rows += table.num_rows
        if self.parts:
            self.part += 1
            path = self.out / self.name / f"part-{self.part:04d}.{self.fmt}"
            writer = self._open(path, table.schema)
            writer.write_table(table)
            writer.close()
            return
        if self.writer is None:
            self.writer = self._open(self.out / f"{self.name}.{self.fmt}", table.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
