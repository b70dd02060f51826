"""The policy and the formats, as pure Python and data. Never imports Django (import-linter contract)."""
