"""Official-format files built from the summary (``indicators.selectors.summarize``).

Each builder reads a ``Summary`` and nothing else, so a file can never disagree with the page.
"""
