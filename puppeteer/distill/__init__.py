"""Personal models: a small real-time student distilled from any poser (or the rig) for one character."""
