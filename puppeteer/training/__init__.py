"""Training THA v1's three networks on a puppeteer dataset, and measuring them.

config (settings) → trainer (the loop; stages says what each network learns, losses how it is scored) →
checkpointing (resume, export to the poser's format); evaluation and metrics measure a finished model; bench
measures training speed; distributed sets up torchrun.
"""
