"""talking-head puppeteer: bring a single anime character picture to life (THA v1 compatible)."""
__version__ = "0.1.0"
