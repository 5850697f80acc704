"""`puppeteer dataset render-3d`: VRM and MMD models rendered in THA v1 poses by three.js in headless Chromium."""
