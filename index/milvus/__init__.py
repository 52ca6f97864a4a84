"""The Milvus backend (``PRACTICE_SEARCH_BACKEND=milvus``): builds write one set of
collections per index version behind an alias, the loader reads them back into the
engine's seam (:mod:`index.backend`). Needs the ``scale`` extra; nothing here is
imported by the default embedded backend."""
