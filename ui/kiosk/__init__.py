"""The citizens' kiosk: large type, high contrast, touch targets sized for fingers (适老化)."""
