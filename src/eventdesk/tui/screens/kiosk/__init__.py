"""The self check-in kiosk."""
