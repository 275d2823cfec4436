"""The agenda: sessions by day and room, with delays."""
