"""The desktop window (PySide6). Imported only when the window opens, so the command line stays Qt-free."""
