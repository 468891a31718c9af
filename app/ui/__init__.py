"""Qt widgets and the controllers that connect them to app.core."""
