"""Where the character goes besides the window: a browser source for OBS, and the output size."""
