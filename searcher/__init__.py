"""diplosearch's query layer: parsing queries, ranking, snippets."""
