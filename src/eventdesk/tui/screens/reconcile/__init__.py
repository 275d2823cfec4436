"""People admitted at two desks while one was offline."""
