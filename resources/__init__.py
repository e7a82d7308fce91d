"""Data files shipped with the program: catalog, translations, demo images."""
