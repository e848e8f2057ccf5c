"""The global search: the top bar's search box and `/search/?q=`, across the search fields of every entity the user
may read (search/feature.py declares it on the registry)."""
