"""The performance benchmark (``make bench``) and its synthetic-city generator."""
