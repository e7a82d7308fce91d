"""Qt adapters for the devices: worker threads that turn driver calls into signals."""
