"""The expertise taxonomy: a tree of topics organizations offer and seek."""
