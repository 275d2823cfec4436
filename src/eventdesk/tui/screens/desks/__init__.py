"""The desks of the event and their heartbeats."""
