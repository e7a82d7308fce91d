"""Documents through Qt: PDF files and the system's printers, rendered off the GUI thread."""
