"""The Qt user interface. It talks to application services in `app/`, never to tables."""
