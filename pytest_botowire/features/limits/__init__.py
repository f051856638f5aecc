"""AWS limits as CI checks: the rules and the built-in table, the run's settings, the summary,
the JSON and Markdown reports, comparison with a baseline and the merge of CI shards.
"""
