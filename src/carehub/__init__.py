"""CareHub: CalAIM Enhanced Care Management and Community Supports."""

__version__ = "0.1.0"
