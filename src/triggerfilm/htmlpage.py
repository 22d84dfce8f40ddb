"""The shell of every standalone HTML page triggerfilm writes (transcript, facilitator pack).

English, UTF-8, readable on a phone, all content inside one ``<main>`` landmark: what the
accessibility checks ask of each page, written once.
"""

from __future__ import annotations

_SHELL = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def html_page(title: str, css: str, body: str) -> str:
    """A whole page around ``body``. ``title`` and ``body`` are HTML already escaped.

    >>> print(html_page("T", "p {}", "<p>x</p>").splitlines()[5:10])
    ['<title>T</title>', '<style>p {}</style>', '</head>', '<body>', '<main>']
    """
    return _SHELL.format(title=title, css=css, body=body)
