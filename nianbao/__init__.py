"""nianbao: annual reports on government information disclosure, as one validated dataset."""

__version__ = "0.1.0"
