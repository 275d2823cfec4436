"""The meeting tables: the grid, bookings, stand-bys and the table's scan."""
