"""The camera in the GUI: a worker thread that reads and judges frames, and the capture dialog."""
