"""Exchange files with ECM providers (spec/dhcs-interchange.md): MIF out, RTF and OTF in. Layouts are data
(layouts.csv); workbook.py reads and writes .xlsx against them. Pure: never imports Django."""

from carehub.domain.dhcsfiles.layouts import Column, ColumnType, Layout, layout, load_layouts
from carehub.domain.dhcsfiles.workbook import ParsedRow, Problem, ReadResult, read_workbook, write_workbook

__all__ = ["Column", "ColumnType", "Layout", "ParsedRow", "Problem", "ReadResult", "layout", "load_layouts",
           "read_workbook", "write_workbook"]
