"""Training datasets: the on-disk format (format.py), loaders for the training pipeline (dataset.py), and the
tools behind `puppeteer dataset` (synthesize, ntut import, validate)."""
