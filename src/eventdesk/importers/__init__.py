"""One module per outside file format; each turns a file into plain values for a service."""
