"""The technician screen: device set-up behind the technician password."""
