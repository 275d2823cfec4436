"""The check-in screen and the widgets and dialogs only it uses."""
