"""The labelled-set evaluation: the set (eval/data), named configurations, the ranx
scoring and the report (``practice-search eval`` or ``python -m eval``)."""
