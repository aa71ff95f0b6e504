"""The Textual app. Screens are thin: they call the session and store and render."""
