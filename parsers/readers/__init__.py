"""The format readers: bytes of one format (HTML, text, PDF, Word, pictures) to a
:class:`~nianbao.parsers.document.Document`, lines of cells in reading order.

Nothing here knows the report templates; :mod:`nianbao.parsers.extraction` does.
"""
