"""Device drivers and their simulators, behind small interfaces. No Qt widgets, no ui/."""
